using Blog.Api.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Blog.Api;

/// <summary>A user's current role and disabled flag, as the store has them.</summary>
internal sealed record UserStatus(string Role, bool Disabled);

/// <summary>
/// Looks up a user's current role and status for every authenticated request, so that a role change or a disable
/// takes effect on the user's next request instead of when the access token expires. Each replica caches an answer
/// for <see cref="JwtOptions.UserStatusCacheDuration"/> (at most 5 s): that is how late a change made through another
/// replica can be seen. A change made through this replica evicts the entry at once (<see cref="Evict"/>).
/// </summary>
internal sealed class UserStatusCache(IMemoryCache cache, IOptions<JwtOptions> options)
{
    private static readonly object Missing = new();

    /// <summary>The user's current status, or null when the user no longer exists.</summary>
    public async Task<UserStatus?> GetAsync(IUserStore users, string userId, CancellationToken ct)
    {
        var duration = options.Value.UserStatusCacheDuration;
        if (duration > TimeSpan.Zero && cache.TryGetValue(Key(userId), out var cached))
        {
            return cached as UserStatus;
        }

        var user = await users.FindByIdAsync(userId, ct);
        var status = user is null ? null : new UserStatus(user.Role, user.Disabled);
        if (duration > TimeSpan.Zero)
        {
            cache.Set(Key(userId), status ?? Missing, duration);
        }

        return status;
    }

    public void Evict(string userId) => cache.Remove(Key(userId));

    private static string Key(string userId) => $"blog:user-status:{userId}";
}
