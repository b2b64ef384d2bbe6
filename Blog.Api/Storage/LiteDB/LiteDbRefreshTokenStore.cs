using LiteDB;

namespace Blog.Api.Storage.LiteDB;

internal sealed class LiteDbRefreshTokenStore(LiteDbContext context) : IRefreshTokenStore
{
    private const string Collection = LiteDbContext.RefreshTokensCollection;

    public Task CreateAsync(RefreshToken token, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(token);
        context.Write("insert", Collection, () => context.RefreshTokens.Insert(token));
        return Task.CompletedTask;
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
        Revoke("$._id = @0", id, now, ct);

    public Task RevokeFamilyAsync(string familyId, DateTime now, CancellationToken ct = default) =>
        Revoke("$.FamilyId = @0", familyId, now, ct);

    public Task RevokeAllForUserAsync(string userId, DateTime now, CancellationToken ct = default) =>
        Revoke("$.UserId = @0", userId, now, ct);

    public Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var cutoff = StoredValues.Time(now);
        return Task.FromResult<long>(context.Write("delete", Collection, () => context.RefreshTokens.DeleteMany("$.ExpiresAt <= @0", cutoff)));
    }

    // The first revocation time is kept: revoking again changes nothing.
    private Task Revoke(string predicate, string value, DateTime now, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var revokedAt = StoredValues.Time(now);
        context.Write("update", Collection, () =>
        {
            var tokens = context.RefreshTokens.Find(BsonExpression.Create(predicate, new BsonValue(value))).Where(t => t.RevokedAt is null).ToList();
            foreach (var token in tokens)
            {
                token.RevokedAt = revokedAt;
            }

            context.RefreshTokens.Update(tokens);
        });
        return Task.CompletedTask;
    }
}
