using System.Linq.Expressions;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

internal sealed class MongoRefreshTokenStore(MongoContext context) : IRefreshTokenStore
{
    private static readonly FilterDefinitionBuilder<RefreshToken> Filter = Builders<RefreshToken>.Filter;
    private static readonly FilterDefinitionBuilder<RefreshFamily> FamilyFilter = Builders<RefreshFamily>.Filter;

    public Task CreateAsync(RefreshToken token, CancellationToken ct = default)
    {
        StoredValues.Normalize(token);
        return MongoContext.MapDuplicateKeyAsync(() => context.RefreshTokens.InsertOneAsync(token, cancellationToken: ct));
    }

    public async Task<RefreshToken?> FindByIdAsync(string id, CancellationToken ct = default) =>
        await context.RefreshTokens.Find(Filter.Eq(t => t.Id, id)).FirstOrDefaultAsync(ct);

    public async Task<RefreshToken?> FindByHashAsync(string tokenHash, CancellationToken ct = default) =>
        await context.RefreshTokens.Find(Filter.Eq(t => t.TokenHash, tokenHash)).FirstOrDefaultAsync(ct);

    public async Task<bool> TryConsumeAsync(string id, DateTime now, CancellationToken ct = default)
    {
        // The filter only matches an unconsumed token, so exactly one of several concurrent calls modifies it.
        var result = await context.RefreshTokens.UpdateOneAsync(
            Filter.Eq(t => t.Id, id) & Filter.Eq(t => t.ConsumedAt, null),
            Builders<RefreshToken>.Update.Set(t => t.ConsumedAt, StoredValues.Time(now)),
            cancellationToken: ct);
        return result.ModifiedCount == 1;
    }

    public Task RevokeAsync(string id, DateTime now, CancellationToken ct = default) => RevokeAsync(t => t.Id, id, now, ct);

    public async Task RevokeFamilyAsync(string familyId, DateTime now, CancellationToken ct = default)
    {
        // The family document first: one single-document update, atomic, and what every later use reads. The tokens
        // follow for the record; a token inserted meanwhile is refused through its family anyway.
        await context.RefreshFamilies.UpdateOneAsync(
            FamilyFilter.Eq(f => f.Id, familyId) & FamilyFilter.Eq(f => f.RevokedAt, null),
            Builders<RefreshFamily>.Update.Set(f => f.RevokedAt, StoredValues.Time(now)),
            cancellationToken: ct);
        await RevokeAsync(t => t.FamilyId, familyId, now, ct);
    }

    public async Task RevokeAllForUserAsync(string userId, DateTime now, CancellationToken ct = default)
    {
        // Not atomic across families (UpdateMany is atomic per document only); a sign-in racing this call is ended by
        // User.SessionVersion, which the callers increment.
        await context.RefreshFamilies.UpdateManyAsync(
            FamilyFilter.Eq(f => f.UserId, userId) & FamilyFilter.Eq(f => f.RevokedAt, null),
            Builders<RefreshFamily>.Update.Set(f => f.RevokedAt, StoredValues.Time(now)),
            cancellationToken: ct);
        await RevokeAsync(t => t.UserId, userId, now, ct);
    }

    public async Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default)
    {
        var cutoff = StoredValues.Time(now);
        var tokens = await context.RefreshTokens.DeleteManyAsync(Filter.Lte(t => t.ExpiresAt, cutoff), ct);
        var families = await context.RefreshFamilies.DeleteManyAsync(FamilyFilter.Lte(f => f.ExpiresAt, cutoff), ct);
        return tokens.DeletedCount + families.DeletedCount;
    }

    public Task CreateFamilyAsync(RefreshFamily family, CancellationToken ct = default)
    {
        StoredValues.Normalize(family);
        return MongoContext.MapDuplicateKeyAsync(() => context.RefreshFamilies.InsertOneAsync(family, cancellationToken: ct));
    }

    public async Task<RefreshFamily?> FindFamilyAsync(string familyId, CancellationToken ct = default) =>
        await context.RefreshFamilies.Find(FamilyFilter.Eq(f => f.Id, familyId)).FirstOrDefaultAsync(ct);

    // The first revocation time is kept: revoking again changes nothing.
    private Task RevokeAsync(Expression<Func<RefreshToken, string>> field, string value, DateTime now, CancellationToken ct) =>
        context.RefreshTokens.UpdateManyAsync(
            Filter.Eq(field, value) & Filter.Eq(t => t.RevokedAt, null),
            Builders<RefreshToken>.Update.Set(t => t.RevokedAt, StoredValues.Time(now)),
            cancellationToken: ct);
}
