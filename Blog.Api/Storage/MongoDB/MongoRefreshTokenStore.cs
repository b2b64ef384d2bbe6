using System.Linq.Expressions;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

internal sealed class MongoRefreshTokenStore(MongoContext context) : IRefreshTokenStore
{
    private static readonly FilterDefinitionBuilder<RefreshToken> Filter = Builders<RefreshToken>.Filter;

    public Task CreateAsync(RefreshToken token, CancellationToken ct = default)
    {
        StoredValues.Normalize(token);
        return MongoContext.MapDuplicateKeyAsync(() => context.RefreshTokens.InsertOneAsync(token, cancellationToken: ct));
    }

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

    public Task RevokeFamilyAsync(string familyId, DateTime now, CancellationToken ct = default) => RevokeAsync(t => t.FamilyId, familyId, now, ct);

    public Task RevokeAllForUserAsync(string userId, DateTime now, CancellationToken ct = default) => RevokeAsync(t => t.UserId, userId, now, ct);

    public async Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default)
    {
        var result = await context.RefreshTokens.DeleteManyAsync(Filter.Lte(t => t.ExpiresAt, StoredValues.Time(now)), ct);
        return result.DeletedCount;
    }

    // The first revocation time is kept: revoking again changes nothing.
    private Task RevokeAsync(Expression<Func<RefreshToken, string>> field, string value, DateTime now, CancellationToken ct) =>
        context.RefreshTokens.UpdateManyAsync(
            Filter.Eq(field, value) & Filter.Eq(t => t.RevokedAt, null),
            Builders<RefreshToken>.Update.Set(t => t.RevokedAt, StoredValues.Time(now)),
            cancellationToken: ct);
}
