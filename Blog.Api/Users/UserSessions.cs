using Blog.Api.Security;
using Blog.Api.Storage;

namespace Blog.Api.Users;

/// <summary>Ends a user's sessions, for the changes that must sign them out everywhere (password, disabled account).</summary>
internal sealed class UserSessions(IUserStore users, IRefreshTokenStore refreshTokens, UserStatusCache status, TimeProvider clock)
{
    /// <summary>
    /// Ends every session of the user: the session version first (it also ends a sign-in or a refresh racing this
    /// call, since both are bound to the version they read), then the families and tokens for the record. Refresh
    /// tokens stop at once; access tokens on the next request through this replica, within the status cache window
    /// on the others. Call it after the change that motivates it (new password hash, disabled flag), so that a
    /// sign-in between the two cannot keep a session.
    /// </summary>
    public async Task EndAllAsync(string userId, CancellationToken ct)
    {
        await users.EndSessionsAsync(userId, ct);
        await refreshTokens.RevokeAllForUserAsync(userId, clock.GetUtcNowForStorage(), ct);
        status.Evict(userId);
    }
}
