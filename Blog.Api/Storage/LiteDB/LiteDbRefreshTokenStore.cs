using LiteDB;

namespace Blog.Api.Storage.LiteDB;

internal sealed class LiteDbRefreshTokenStore(LiteDbContext context) : IRefreshTokenStore
{
    private const string Collection = LiteDbContext.RefreshTokensCollection;
    private const string Families = LiteDbContext.RefreshFamiliesCollection;

    public Task CreateAsync(RefreshToken token, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(token);
        context.Write("insert", Collection, () => context.RefreshTokens.Insert(token));
        return Task.CompletedTask;
    }

    public Task<RefreshToken?> FindByIdAsync(string id, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<RefreshToken?>(context.Read("find", Collection, () => context.RefreshTokens.FindById(id)));
    }

    public Task<RefreshToken?> FindByHashAsync(string tokenHash, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<RefreshToken?>(
            context.Read("find", Collection, () => context.RefreshTokens.FindOne(Query.EQ(nameof(RefreshToken.TokenHash), tokenHash))));
    }

    public Task<bool> TryConsumeAsync(string id, DateTime now, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Write("update", Collection, () =>
        {
            var token = context.RefreshTokens.FindById(id);
            if (token is null || token.ConsumedAt is not null)
            {
                return false;
            }

            token.ConsumedAt = StoredValues.Time(now);
            return context.RefreshTokens.Update(token);
        }));
    }

    public Task RevokeAsync(string id, DateTime now, CancellationToken ct = default) =>
        Revoke(familyPredicate: null, "$._id = @0", id, now, ct);

    public Task RevokeFamilyAsync(string familyId, DateTime now, CancellationToken ct = default) =>
        Revoke("$._id = @0", "$.FamilyId = @0", familyId, now, ct);

    public Task RevokeAllForUserAsync(string userId, DateTime now, CancellationToken ct = default) =>
        Revoke("$.UserId = @0", "$.UserId = @0", userId, now, ct);

    public Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var cutoff = StoredValues.Time(now);
        return Task.FromResult<long>(context.Write("delete", Collection, () =>
            context.RefreshTokens.DeleteMany("$.ExpiresAt <= @0", cutoff) + context.RefreshFamilies.DeleteMany("$.ExpiresAt <= @0", cutoff)));
    }

    public Task CreateFamilyAsync(RefreshFamily family, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(family);
        context.Write("insert", Families, () => context.RefreshFamilies.Insert(family));
        return Task.CompletedTask;
    }

    public Task<RefreshFamily?> FindFamilyAsync(string familyId, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<RefreshFamily?>(context.Read("find", Families, () => context.RefreshFamilies.FindById(familyId)));
    }

    // The first revocation time is kept: revoking again changes nothing. Families and tokens change in one transaction.
    private Task Revoke(string? familyPredicate, string tokenPredicate, string value, DateTime now, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var revokedAt = StoredValues.Time(now);
        context.Write("update", Collection, () =>
        {
            if (familyPredicate is not null)
            {
                var families = context.RefreshFamilies.Find(BsonExpression.Create(familyPredicate, new BsonValue(value)))
                    .Where(f => f.RevokedAt is null).ToList();
                foreach (var family in families)
                {
                    family.RevokedAt = revokedAt;
                }

                context.RefreshFamilies.Update(families);
            }

            var tokens = context.RefreshTokens.Find(BsonExpression.Create(tokenPredicate, new BsonValue(value))).Where(t => t.RevokedAt is null).ToList();
            foreach (var token in tokens)
            {
                token.RevokedAt = revokedAt;
            }

            context.RefreshTokens.Update(tokens);
        });
        return Task.CompletedTask;
    }
}
