using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <remarks>
/// Every filter is built with <see cref="Builders{User}"/> from typed values, so client input is always a value, never
/// an operator: a username like <c>{"$ne": null}</c> is compared as that string. The admin search text goes into
/// <c>$literal</c>, so even one starting with <c>$</c> is never read as a field path.
/// </remarks>
internal sealed class MongoUserStore(MongoContext context, MongoAdminFence fences) : IUserStore
{
    /// <summary>
    /// The user document's fencing-token field (see <see cref="ChangeAccountAsync"/>). Only this store reads or writes it;
    /// <see cref="User"/> has no property for it, and reads ignore it (the class map ignores extra elements).
    /// </summary>
    public const string FenceField = "accountFence";

    /// <summary>Attempts of one account change before it answers "busy" (each attempt takes a few milliseconds).</summary>
    internal const int MaxChangeAttempts = 25;

    private static readonly FilterDefinitionBuilder<User> Filter = Builders<User>.Filter;
    private static readonly UpdateDefinitionBuilder<User> Update = Builders<User>.Update;

    /// <summary>
    /// Test seam: awaited inside an account change after it has read and stamped what it relies on and before it writes
    /// the target, so a test can stall a change past any other (null in production).
    /// </summary>
    internal Func<CancellationToken, Task>? BeforeAccountWrite { get; set; }

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
            Update.Set(u => u.DisplayName, displayName)
                .Set(u => u.NormalizedDisplayName, UserSearch.DisplayNameKey(displayName))
                .Set(u => u.Bio, bio),
            cancellationToken: ct).ConfigureAwait(false);
        return result.MatchedCount > 0;
    }

    public async Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken ct = default)
    {
        var result = await context.Users.UpdateOneAsync(
            Filter.Eq(u => u.Id, id), Update.Set(u => u.PasswordHash, passwordHash), cancellationToken: ct).ConfigureAwait(false);
        return result.MatchedCount > 0;
    }

    public async Task<bool> EndSessionsAsync(string id, CancellationToken ct = default)
    {
        // $inc is atomic on one document: concurrent calls each add one, none is lost.
        var result = await context.Users.UpdateOneAsync(
            Filter.Eq(u => u.Id, id), Update.Inc(u => u.SessionVersion, 1L), cancellationToken: ct).ConfigureAwait(false);
        return result.MatchedCount == 1;
    }

    public async Task<PagedResult<User>> ListAsync(string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var (skip, take) = StoredValues.Page(page, pageSize);
        var filter = UserSearch.Key(search) is { } key ? SearchFilter(key) : Filter.Empty;

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
    /// node without one. So the rule "at least one enabled Admin" is kept with fencing tokens and single-document
    /// conditional updates only (each atomic on any server). One attempt:
    /// <list type="number">
    /// <item>reads the target user (and, when the change removes an enabled Admin, the other enabled Admins);</item>
    /// <item>takes a new token <c>f</c>, larger than every earlier one and than every stamp it just read (<see cref="MongoAdminFence"/>);</item>
    /// <item>when the change removes an enabled Admin, stamps <em>another</em> enabled Admin with <c>f</c>: one update
    /// whose filter is "that user, still an enabled Admin, and its token not above <c>f</c>" (none left: LastAdmin);</item>
    /// <item>writes the target with one update whose filter is "the role and disabled flag it read, and its token not
    /// above <c>f</c>", setting the new values and the token <c>f</c>.</item>
    /// </list>
    /// A filter that misses means the read is stale (another change came in between): the attempt writes nothing more and
    /// the next one starts over with a newer token. Why no enabled Admin can be lost, however calls interleave or stall:
    /// take the successful Admin-removing change with the largest token <c>f</c>; it stamped an enabled Admin <c>Y</c>
    /// with <c>f</c>. Changing <c>Y</c> later needs a token above <c>f</c> (the filter), and because that write also
    /// checks the state it read, it knows it removes an enabled Admin, so it is itself an Admin-removing change with a
    /// larger token: a contradiction. A stalled caller's late write carries an old token and misses; a crashed caller
    /// holds nothing, so nobody waits for it. Only a change losing <see cref="MaxChangeAttempts"/> times in a row to
    /// concurrent ones gives up, with <see cref="StoreBusyException"/> (the API's 503).
    /// </remarks>
    public async Task<AccountChangeResult> ChangeAccountAsync(string id, string? role, bool? disabled, CancellationToken ct = default)
    {
        var newRole = role is null ? null : Roles.Normalize(role) ?? throw new ArgumentException($"Unknown role '{role}'.", nameof(role));

        for (var attempt = 1; attempt <= MaxChangeAttempts; attempt++)
        {
            if (await TryChangeAccountAsync(id, newRole, disabled, ct).ConfigureAwait(false) is { } result)
            {
                return result;
            }

            // Lost to a concurrent change: back off a little, more each time, so that contenders spread out.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), ct).ConfigureAwait(false);
        }

        throw new StoreBusyException("The account kept changing concurrently; try again.", TimeSpan.FromSeconds(1));
    }

    /// <summary>One attempt (see <see cref="ChangeAccountAsync"/>); null when a concurrent change made its read stale.</summary>
    private async Task<AccountChangeResult?> TryChangeAccountAsync(string id, string? newRole, bool? disabled, CancellationToken ct)
    {
        // Read untyped, for the fence stamps too: the token taken below must be above every stamp this attempt relies on.
        var raw = Builders<BsonDocument>.Filter;
        var target = await context.UserDocuments.Find(raw.Eq("_id", id)).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (target is null)
        {
            return AccountChangeResult.NotFound;
        }

        var user = BsonSerializer.Deserialize<User>(target);
        var finalRole = newRole ?? user.Role;
        var finalDisabled = disabled ?? user.Disabled;
        var removesEnabledAdmin = IsEnabledAdmin(user.Role, user.Disabled) && !IsEnabledAdmin(finalRole, finalDisabled);

        List<BsonDocument> others = [];
        if (removesEnabledAdmin)
        {
            others = await context.UserDocuments
                .Find(raw.Eq(RoleField, Roles.Admin) & raw.Eq(DisabledField, false) & raw.Ne("_id", id))
                .Limit(8)
                .ToListAsync(ct)
                .ConfigureAwait(false);
            if (others.Count == 0)
            {
                return AccountChangeResult.LastAdmin;
            }
        }

        var fence = await fences.NextAsync(others.Append(target).Max(Fence), ct).ConfigureAwait(false);

        if (removesEnabledAdmin)
        {
            var stamped = false;
            foreach (var other in others)
            {
                var stamp = await context.Users.UpdateOneAsync(
                    Filter.Eq(u => u.Id, other["_id"].AsString) & EnabledAdmin & NotAbove(fence),
                    Update.Set(FenceField, fence),
                    cancellationToken: ct).ConfigureAwait(false);
                if (stamp.MatchedCount > 0)
                {
                    stamped = true;
                    break;
                }
            }

            if (!stamped)
            {
                return null;
            }
        }

        if (BeforeAccountWrite is { } stall)
        {
            await stall(ct).ConfigureAwait(false);
        }

        var write = await context.Users.UpdateOneAsync(
            Filter.Eq(u => u.Id, id) & Filter.Eq(u => u.Role, user.Role) & Filter.Eq(u => u.Disabled, user.Disabled) & NotAbove(fence),
            Update.Set(u => u.Role, finalRole).Set(u => u.Disabled, finalDisabled).Set(FenceField, fence),
            cancellationToken: ct).ConfigureAwait(false);
        return write.MatchedCount > 0 ? AccountChangeResult.Changed : null;
    }

    private static string RoleField => MongoContext.ElementName<User>(nameof(User.Role));

    private static string DisabledField => MongoContext.ElementName<User>(nameof(User.Disabled));

    private static long Fence(BsonDocument user) => user.GetValue(FenceField, 0L).ToInt64();

    private static bool IsEnabledAdmin(string role, bool disabled) => role == Roles.Admin && !disabled;

    private static FilterDefinition<User> EnabledAdmin => Filter.Eq(u => u.Role, Roles.Admin) & Filter.Eq(u => u.Disabled, false);

    // { accountFence: { $not: { $gt: f } } }: $not also matches documents without the field (users never changed).
    private static FilterDefinition<User> NotAbove(long fence) => Filter.Not(Filter.Gt(FenceField, fence));

    /// <remarks>
    /// <see cref="UserSearch"/>'s rule as a query: <c>$indexOfCP</c> is an ordinal (code point) substring test, on the
    /// stored lower-case copies. The text is a BSON string inside <c>$literal</c>, not a regular expression (a BSON regex
    /// is a C string and cannot hold NUL), so every character matches itself. A missing field gives null, which is not
    /// &gt;= 0. <c>$expr</c> is fine here: this is a find, not an upsert.
    /// </remarks>
    private static FilterDefinition<User> SearchFilter(string key)
    {
        BsonDocument Contains(string member) => new("$gte", new BsonArray
        {
            new BsonDocument("$indexOfCP", new BsonArray
            {
                "$" + MongoContext.ElementName<User>(member),
                new BsonDocument("$literal", key),
            }),
            0,
        });

        return new BsonDocumentFilterDefinition<User>(new BsonDocument("$expr", new BsonDocument("$or", new BsonArray
        {
            Contains(nameof(User.NormalizedUsername)),
            Contains(nameof(User.NormalizedEmail)),
            Contains(nameof(User.NormalizedDisplayName)),
        })));
    }
}
