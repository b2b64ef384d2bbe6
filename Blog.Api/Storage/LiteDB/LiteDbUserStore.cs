using LiteDB;

namespace Blog.Api.Storage.LiteDB;

internal sealed class LiteDbUserStore(LiteDbContext context) : IUserStore
{
    private const string Collection = LiteDbContext.UsersCollection;

    public Task<User?> FindByIdAsync(string id, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<User?>(context.Read("find", Collection, () => context.Users.FindById(id)));
    }

    public Task<User?> FindByUsernameAsync(string username, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () => FindBy(nameof(User.NormalizedUsername), username)));
    }

    public Task<User?> FindByLoginAsync(string usernameOrEmail, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () =>
            FindBy(nameof(User.NormalizedUsername), usernameOrEmail) ?? FindBy(nameof(User.NormalizedEmail), usernameOrEmail)));
    }

    public Task CreateAsync(User user, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(user);
        context.Write("insert", Collection, () => context.Users.Insert(user));
        return Task.CompletedTask;
    }

    public Task<bool> UpdateProfileAsync(string id, string displayName, string? bio, CancellationToken ct = default) =>
        Modify(id, ct, user =>
        {
            user.DisplayName = displayName;
            user.NormalizedDisplayName = UserSearch.DisplayNameKey(displayName);
            user.Bio = bio;
        });

    public Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken ct = default) =>
        Modify(id, ct, user => user.PasswordHash = passwordHash);

    public Task<bool> EndSessionsAsync(string id, CancellationToken ct = default) =>
        Modify(id, ct, user => user.SessionVersion++);

    public Task<PagedResult<User>> ListAsync(string? search, int page, int pageSize, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var (skip, take) = StoredValues.Page(page, pageSize);
        var key = UserSearch.Key(search);

        return Task.FromResult(context.Read("find", Collection, () =>
        {
            if (key is null)
            {
                var total = context.Users.LongCount();
                var items = context.Users.Query().OrderBy(x => x.NormalizedUsername).Skip(skip).Limit(take).ToList();
                return new PagedResult<User>(items, total);
            }

            // UserSearch's rule applied here, in process, rather than with LiteDB's INDEXOF/LOWER: those follow the
            // current culture (which ignores NUL and cases U+0130 differently), and the contract is ordinal and invariant.
            var matches = context.Users.FindAll()
                .Where(u => UserSearch.Matches(u, key))
                .OrderBy(u => u.NormalizedUsername, StringComparer.Ordinal)
                .ToList();
            return new PagedResult<User>([.. matches.Skip(skip).Take(take)], matches.Count);
        }));
    }

    public Task<long> CountAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("count", Collection, () => context.Users.LongCount()));
    }

    public Task<AccountChangeResult> ChangeAccountAsync(string id, string? role, bool? disabled, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var newRole = role is null ? null : Roles.Normalize(role) ?? throw new ArgumentException($"Unknown role '{role}'.", nameof(role));

        // The write lock makes "count the other enabled Admins, then apply" one step for every caller in this process,
        // and this process is the only one that opens the file.
        return Task.FromResult(context.Write("update", Collection, () =>
        {
            var user = context.Users.FindById(id);
            if (user is null)
            {
                return AccountChangeResult.NotFound;
            }

            var wasEnabledAdmin = user.Role == Roles.Admin && !user.Disabled;
            user.Role = newRole ?? user.Role;
            user.Disabled = disabled ?? user.Disabled;
            var isEnabledAdmin = user.Role == Roles.Admin && !user.Disabled;

            if (wasEnabledAdmin && !isEnabledAdmin)
            {
                var otherEnabledAdmins = context.Users.Count(
                    "$.Role = @0 AND $.Disabled = false AND $._id != @1", Roles.Admin, id);
                if (otherEnabledAdmins == 0)
                {
                    return AccountChangeResult.LastAdmin;
                }
            }

            context.Users.Update(user);
            return AccountChangeResult.Changed;
        }));
    }

    private User? FindBy(string field, string value) =>
        context.Users.FindOne(Query.EQ(field, StoredValues.Key(value)));

    private Task<bool> Modify(string id, CancellationToken ct, Action<User> change)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Write("update", Collection, () =>
        {
            var user = context.Users.FindById(id);
            if (user is null)
            {
                return false;
            }

            change(user);
            return context.Users.Update(user);
        }));
    }
}
