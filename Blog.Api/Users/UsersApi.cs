using Blog.Api.Auth;
using Blog.Api.Caching;
using Blog.Api.Http;
using Blog.Api.Security;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace Blog.Api.Users;

public static class UsersApi
{
    public const int MaxSearchLength = 100;

    /// <summary>
    /// <c>/api/users</c>: public profiles, the caller's own profile and password, and the Admin's user management.
    /// (<c>GET /api/users/me/posts</c> belongs to the posts feature.)
    /// </summary>
    public static RouteGroupBuilder MapUsersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/users").WithTags("Users");

        group.MapGet("/{username}", GetProfileAsync)
            .WithName("GetProfile")
            .WithSummary("A user's public profile")
            .CacheOutputWithMissFilter(OutputCachePolicies.Profile)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/me", UpdateMeAsync)
            .RequireAuthorization(Policies.Authenticated)
            .RequireRateLimiting(RateLimitPolicies.Writes)
            .WithName("UpdateMe")
            .WithSummary("Change the signed-in user's display name and bio")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPut("/me/password", ChangeMyPasswordAsync)
            .RequireAuthorization(Policies.Authenticated)
            .RequireRateLimiting(RateLimitPolicies.Auth)
            .WithName("ChangeMyPassword")
            .WithSummary("Change the signed-in user's password; signs out every session (refresh tokens are revoked)")
            .WithDescription("The current password is a password attempt, counted like a sign-in on the account's username (429 with Retry-After " +
                "over the limit). The new password must not be a common password or the same as the username or email (400, errors.newPassword).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        var admin = group.MapGroup("").RequireAuthorization(Policies.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        admin.MapGet("/", ListAsync)
            .WithName("ListUsers")
            .WithSummary("Admin: list users, optionally matching q in username, email or display name");

        // Admin writes count against the Admin's write limit like every other write.
        admin.MapPut("/{username}/role", ChangeRoleAsync)
            .RequireRateLimiting(RateLimitPolicies.Writes)
            .WithName("ChangeUserRole")
            .WithSummary("Admin: change a user's role (409 if no enabled Admin would remain)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        admin.MapPost("/{username}/disable", async (string username, IUserStore users, IRefreshTokenStore refreshTokens, UserStatusCache status,
                TimeProvider time, CancellationToken ct) =>
            {
                var result = await SetDisabledAsync(username, true, users, status, ct);
                if (result.Result is Ok<UserResponse> { Value: { } disabled })
                {
                    // Re-enabling the account later must not bring these sessions back.
                    await EndSessionsAsync(disabled.Id, users, refreshTokens, status, time, ct);
                }

                return result;
            })
            .RequireRateLimiting(RateLimitPolicies.Writes)
            .WithName("DisableUser")
            .WithSummary("Admin: disable an account; it can no longer sign in and all its sessions end for good (409 for the last enabled Admin)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        admin.MapPost("/{username}/enable", (string username, IUserStore users, UserStatusCache status, CancellationToken ct) =>
                SetDisabledAsync(username, false, users, status, ct))
            .RequireRateLimiting(RateLimitPolicies.Writes)
            .WithName("EnableUser")
            .WithSummary("Admin: enable a disabled account")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        admin.MapPut("/{username}/password", ResetPasswordAsync)
            .RequireRateLimiting(RateLimitPolicies.Writes)
            .WithName("ResetUserPassword")
            .WithSummary("Admin: set a user's password and end all its sessions")
            .WithDescription("The new password must not be a common password or the same as the user's username or email (400, errors.newPassword).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return group;
    }

    private static async Task<Results<Ok<ProfileResponse>, NotFound>> GetProfileAsync(
        string username, IUserStore users, HttpContext httpContext, CancellationToken ct)
    {
        if (await users.FindByUsernameAsync(username, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        httpContext.AddCacheTags(CacheTags.User(user.Username), CacheTags.Author(user.Id));
        return TypedResults.Ok(user.AsProfile());
    }

    private static async Task<Results<Ok<UserResponse>, NotFound>> UpdateMeAsync(
        UpdateProfileRequest request, CurrentUser currentUser, IUserStore users, OutputCacheEvictor cache, CancellationToken ct)
    {
        var bio = string.IsNullOrWhiteSpace(request.Bio) ? null : request.Bio.Trim();
        if (await users.FindByIdAsync(currentUser.Id!, ct) is not { } before
            || !await users.UpdateProfileAsync(before.Id, request.DisplayName.Trim(), bio, ct)
            || await users.FindByIdAsync(before.Id, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        // The profile; and when the display name changed, every response that shows it (this author's posts, the list
        // pages and comment pages that name them). Nobody else's entries.
        await cache.EvictAsync(string.Equals(before.DisplayName, user.DisplayName, StringComparison.Ordinal)
            ? [CacheTags.User(user.Username)]
            : [CacheTags.User(user.Username), CacheTags.Author(user.Id)]);
        return TypedResults.Ok(user.AsResponse());
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> ChangeMyPasswordAsync(
        ChangePasswordRequest request,
        CurrentUser currentUser,
        IUserStore users,
        IRefreshTokenStore refreshTokens,
        UserStatusCache status,
        IPasswordHasher<User> hasher,
        PasswordPolicy passwords,
        SignInGuard guard,
        TimeProvider time,
        HttpContext http,
        CancellationToken ct)
    {
        if (await users.FindByIdAsync(currentUser.Id!, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        // Checking the new password tells nothing secret, so it goes first and costs no attempt.
        if (passwords.Check(request.NewPassword, user.Username, user.Email) is { } reason)
        {
            return AuthApi.PasswordRefused("newPassword", reason);
        }

        // A guess of the current password from a stolen session is a sign-in attempt like any other.
        var permit = await guard.CountAttemptAsync(user.Username, user, request.DeviceToken, ct);
        if (!permit.Allowed)
        {
            return SignInGuard.Refuse(http, permit);
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword) == PasswordVerificationResult.Failed)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is incorrect."] });
        }

        await users.SetPasswordHashAsync(user.Id, hasher.HashPassword(user, request.NewPassword), ct);
        // Every session, this one too (the request does not say which one is the caller's): the caller signs in again
        // with the new password (the web does it for the user).
        await EndSessionsAsync(user.Id, users, refreshTokens, status, time, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageResponse<UserResponse>>> ListAsync(string? q, int? page, int? pageSize, IUserStore users, CancellationToken ct)
    {
        var (pageNumber, size) = Paging.Users.Clamp(page, pageSize);
        // Clipped without splitting a surrogate pair; the stores apply the rest of the rule (see UserSearch).
        var search = string.IsNullOrWhiteSpace(q) ? null : UserSearch.Clip(q.Trim(), MaxSearchLength);
        var result = await users.ListAsync(search, pageNumber, size, ct);
        return TypedResults.Ok(new PageResponse<UserResponse>([.. result.Items.Select(u => u.AsResponse())], pageNumber, size, result.Total));
    }

    private static async Task<Results<Ok<UserResponse>, NotFound, ProblemHttpResult>> ChangeRoleAsync(
        string username, ChangeRoleRequest request, IUserStore users, UserStatusCache status, OutputCacheEvictor cache, CancellationToken ct)
    {
        var role = Roles.Normalize(request.Role)!;
        var result = await ChangeAccountAsync(username, role, disabled: null, users, status, ct);
        // The profile shows the role.
        await cache.EvictAsync(CacheTags.User(username));
        return result;
    }

    private static Task<Results<Ok<UserResponse>, NotFound, ProblemHttpResult>> SetDisabledAsync(
        string username, bool disabled, IUserStore users, UserStatusCache status, CancellationToken ct) =>
        ChangeAccountAsync(username, role: null, disabled, users, status, ct);

    private static async Task<Results<Ok<UserResponse>, NotFound, ProblemHttpResult>> ChangeAccountAsync(
        string username, string? role, bool? disabled, IUserStore users, UserStatusCache status, CancellationToken ct)
    {
        if (await users.FindByUsernameAsync(username, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        switch (await users.ChangeAccountAsync(user.Id, role, disabled, ct))
        {
            case AccountChangeResult.NotFound:
                return TypedResults.NotFound();
            case AccountChangeResult.LastAdmin:
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    detail: "Refused: there must always be at least one enabled Admin.");
        }

        // Other replicas see the change when their cache entry expires (JwtOptions.UserStatusCacheDuration).
        status.Evict(user.Id);
        return await users.FindByIdAsync(user.Id, ct) is { } changed ? TypedResults.Ok(changed.AsResponse()) : TypedResults.NotFound();
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound>> ResetPasswordAsync(
        string username,
        ResetPasswordRequest request,
        IUserStore users,
        IRefreshTokenStore refreshTokens,
        UserStatusCache status,
        IPasswordHasher<User> hasher,
        PasswordPolicy passwords,
        TimeProvider time,
        CancellationToken ct)
    {
        if (await users.FindByUsernameAsync(username, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        if (passwords.Check(request.NewPassword, user.Username, user.Email) is { } reason)
        {
            return AuthApi.PasswordRefused("newPassword", reason);
        }

        await users.SetPasswordHashAsync(user.Id, hasher.HashPassword(user, request.NewPassword), ct);
        await EndSessionsAsync(user.Id, users, refreshTokens, status, time, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Ends every session of the user: the session version first (it also ends a sign-in or a refresh racing this
    /// call, since both are bound to the version they read), then the families and tokens for the record. Refresh
    /// tokens stop at once; access tokens on the next request through this replica, within the status cache window
    /// on the others. Call it after the change that motivates it (new password hash, disabled flag), so that a
    /// sign-in between the two cannot keep a session.
    /// </summary>
    internal static async Task EndSessionsAsync(
        string userId, IUserStore users, IRefreshTokenStore refreshTokens, UserStatusCache status, TimeProvider time, CancellationToken ct)
    {
        await users.EndSessionsAsync(userId, ct);
        await refreshTokens.RevokeAllForUserAsync(userId, time.GetUtcNowForStorage(), ct);
        status.Evict(userId);
    }
}
