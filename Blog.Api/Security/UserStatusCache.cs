using Blog.Api.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Blog.Api.Security;

/// <summary>A user's current role, disabled flag and session version, as the store has them.</summary>
internal sealed record UserStatus(string Role, bool Disabled, long SessionVersion);

/// <summary>Whose a refresh family (sign-in) is, and whether it still lives.</summary>
internal sealed record FamilyStatus(string UserId, DateTime ExpiresAt, bool Revoked);

/// <summary>
/// Looks up a user's current role and status, and the state of the sign-in (refresh family) a token belongs to, for
/// every authenticated request, so that a role change, a disable, a password change or reset and a sign-out take
/// effect on the user's next request instead of when the access token expires. Each replica caches an answer for
/// <see cref="JwtOptions.UserStatusCacheDuration"/> (at most 5 s): that is how late a change made through another
/// replica can be seen. A change made through this replica evicts the entry at once (<see cref="Evict"/>,
/// <see cref="EvictFamily"/>).
/// </summary>
internal sealed class UserStatusCache(IMemoryCache cache, IOptions<JwtOptions> options)
{
    private static readonly object Missing = new();

    /// <summary>The user's current status, or null when the user no longer exists.</summary>
    public Task<UserStatus?> GetAsync(IUserStore users, string userId, CancellationToken ct) =>
        GetOrLoadAsync(UserKey(userId), async () =>
            await users.FindByIdAsync(userId, ct) is { } user ? new UserStatus(user.Role, user.Disabled, user.SessionVersion) : null);

    /// <summary>The family's current state, or null when it no longer exists.</summary>
    public Task<FamilyStatus?> GetFamilyAsync(IRefreshTokenStore tokens, string familyId, CancellationToken ct) =>
        GetOrLoadAsync(FamilyKey(familyId), async () =>
            await tokens.FindFamilyAsync(familyId, ct) is { } family
                ? new FamilyStatus(family.UserId, family.ExpiresAt, family.RevokedAt is not null)
                : null);

    public void Evict(string userId) => cache.Remove(UserKey(userId));

    public void EvictFamily(string familyId) => cache.Remove(FamilyKey(familyId));

    private async Task<T?> GetOrLoadAsync<T>(string key, Func<Task<T?>> load) where T : class
    {
        var duration = options.Value.UserStatusCacheDuration;
        if (duration > TimeSpan.Zero && cache.TryGetValue(key, out var cached))
        {
            return cached as T;
        }

        var value = await load();
        if (duration > TimeSpan.Zero)
        {
            cache.Set(key, (object?)value ?? Missing, duration);
        }

        return value;
    }

    private static string UserKey(string userId) => $"blog:user-status:{userId}";

    private static string FamilyKey(string familyId) => $"blog:family-status:{familyId}";
}
