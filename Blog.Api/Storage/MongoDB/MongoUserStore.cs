using System.Text.RegularExpressions;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <remarks>
/// Every filter is built with <see cref="Builders{User}"/> from typed values, so client input is always a value, never
/// an operator: a username like <c>{"$ne": null}</c> is compared as that string. The admin search's regular
/// expression is built from <see cref="Regex.Escape"/>d input.
/// </remarks>
internal sealed class MongoUserStore(MongoContext context, MongoLeaseLock adminLock) : IUserStore
{
    private static readonly FilterDefinitionBuilder<User> Filter = Builders<User>.Filter;
    private static readonly UpdateDefinitionBuilder<User> Update = Builders<User>.Update;

    public async Task<User?> FindByIdAsync(string id, CancellationToken ct = default) =>
        await context.Users.Find(Filter.Eq(u => u.Id, id)).FirstOrDefaultAsync(ct).ConfigureAwait(false);

    public async Task<User?> FindByUsernameAsync(string username, CancellationToken ct = default) =>
        await context.Users.Find(Filter.Eq(u => u.NormalizedUsername, StoredValues.Key(username))).FirstOrDefaultAsync(ct).ConfigureAwait(false);

    public async Task<User?> FindByLoginAsync(string usernameOrEmail, CancellationToken ct = default)
    {
        var key = StoredValues.Key(usernameOrEmail);
        var matches = await context.Users
            .Find(Filter.Or(Filter.Eq(u => u.NormalizedUsername, key), Filter.Eq(u => u.NormalizedEmail, key)))
            .Limit(2)
            .ToListAsync(ct)
            .ConfigureAwait(false);
        // A username match wins over another user's email, as in the embedded store.
        return matches.FirstOrDefault(u => u.NormalizedUsername == key) ?? matches.FirstOrDefault();
    }

    public Task CreateAsync(User user, CancellationToken ct = default)
    {
        StoredValues.Normalize(user);
        return MongoContext.MapDuplicateKeyAsync(() => context.Users.InsertOneAsync(user, cancellationToken: ct));
    }

    public async Task<bool> UpdateProfileAsync(string id, string displayName, string? bio, CancellationToken ct = default)
    {
        var result = await context.Users.UpdateOneAsync(
            Filter.Eq(u => u.Id, id),
            Update.Set(u => u.DisplayName, displayName).Set(u => u.Bio, bio),
            cancellationToken: ct).ConfigureAwait(false);
        return result.MatchedCount > 0;
    }

    public async Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken ct = default)
    {
        var result = await context.Users.UpdateOneAsync(
            Filter.Eq(u => u.Id, id), Update.Set(u => u.PasswordHash, passwordHash), cancellationToken: ct).ConfigureAwait(false);
        return result.MatchedCount > 0;
    }

    public async Task<PagedResult<User>> ListAsync(string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var (skip, take) = StoredValues.Page(page, pageSize);
        var filter = Filter.Empty;
        if (!string.IsNullOrEmpty(search))
        {
            var pattern = new BsonRegularExpression(Regex.Escape(StoredValues.Key(search)), "i");
            filter = Filter.Or(
                Filter.Regex(u => u.NormalizedUsername, pattern),
                Filter.Regex(u => u.NormalizedEmail, pattern),
                Filter.Regex(u => u.DisplayName, pattern));
        }

        var total = await context.Users.CountDocumentsAsync(filter, cancellationToken: ct).ConfigureAwait(false);
        var items = total == 0
            ? []
            : await context.Users.Find(filter)
                .Sort(Builders<User>.Sort.Ascending(u => u.NormalizedUsername))
                .Skip(skip)
                .Limit(take)
                .ToListAsync(ct)
                .ConfigureAwait(false);
        return new PagedResult<User>(items, total);
    }

    public Task<long> CountAsync(CancellationToken ct = default) =>
        context.Users.CountDocumentsAsync(Filter.Empty, cancellationToken: ct);

    /// <remarks>
    /// MongoDB transactions need a replica set, and the AppHost's container (like many developer servers) is a single
    /// node without one. So the rule "at least one enabled Admin" is kept with a lease lock instead: every change that
    /// could remove an enabled Admin (they all come through here) first takes the <c>admins</c> lease in the
    /// <c>locks</c> collection, then counts the other enabled Admins, applies the change and releases the lease. Two
    /// replicas demoting two Admins at once are serialised by the lease, so the second one sees the first's change
    /// and is refused. See <see cref="MongoLeaseLock"/> for the lease itself.
    /// </remarks>
    public async Task<AccountChangeResult> ChangeAccountAsync(string id, string? role, bool? disabled, CancellationToken ct = default)
    {
        var newRole = role is null ? null : Roles.Normalize(role) ?? throw new ArgumentException($"Unknown role '{role}'.", nameof(role));

        await using var lease = await adminLock.AcquireAsync(MongoLeaseLock.AdminsLockId, ct);

        var user = await FindByIdAsync(id, ct).ConfigureAwait(false);
        if (user is null)
        {
            return AccountChangeResult.NotFound;
        }

        var wasEnabledAdmin = user.Role == Roles.Admin && !user.Disabled;
        var finalRole = newRole ?? user.Role;
        var finalDisabled = disabled ?? user.Disabled;
        var isEnabledAdmin = finalRole == Roles.Admin && !finalDisabled;

        if (wasEnabledAdmin && !isEnabledAdmin)
        {
            var otherEnabledAdmins = await context.Users.CountDocumentsAsync(
                Filter.Eq(u => u.Role, Roles.Admin) & Filter.Eq(u => u.Disabled, false) & Filter.Ne(u => u.Id, id),
                new CountOptions { Limit = 1 },
                ct).ConfigureAwait(false);
            if (otherEnabledAdmins == 0)
            {
                return AccountChangeResult.LastAdmin;
            }
        }

        var result = await context.Users.UpdateOneAsync(
            Filter.Eq(u => u.Id, id),
            Update.Set(u => u.Role, finalRole).Set(u => u.Disabled, finalDisabled),
            cancellationToken: ct).ConfigureAwait(false);
        return result.MatchedCount > 0 ? AccountChangeResult.Changed : AccountChangeResult.NotFound;
    }
}
