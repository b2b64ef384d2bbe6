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
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users");

        group.MapGet("/{username}", GetProfileAsync)
            .WithName("GetProfile")
            .WithSummary("A user's public profile")
            .CacheOutputWithMissFilter(OutputCachePolicies.Profile)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
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

        admin.MapPost("/{username}/disable", DisableAsync)
            .RequireRateLimiting(RateLimitPolicies.Writes)
            .WithName("DisableUser")
            .WithSummary("Admin: disable an account; it can no longer sign in and all its sessions end for good (409 for the last enabled Admin)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        admin.MapPost("/{username}/enable", EnableAsync)
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

        return app;
    }

    private static async Task<Results<Ok<ProfileResponse>, NotFound>> GetProfileAsync(
        string username, [AsParameters] UserServices services, HttpContext httpContext, CancellationToken ct)
    {
        if (await services.Store.FindByUsernameAsync(username, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        httpContext.AddCacheTags(CacheTags.User(user.Username), CacheTags.Author(user.Id));
        return TypedResults.Ok(user.AsProfile());
    }

    private static async Task<Results<Ok<UserResponse>, NotFound>> UpdateMeAsync(
        UpdateProfileRequest request, [AsParameters] UserServices services, CancellationToken ct)
    {
        var users = services.Store;
        var bio = string.IsNullOrWhiteSpace(request.Bio) ? null : request.Bio.Trim();
        if (await users.FindByIdAsync(services.Caller.Id!, ct) is not { } before
            || !await users.UpdateProfileAsync(before.Id, request.DisplayName.Trim(), bio, ct)
            || await users.FindByIdAsync(before.Id, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        // The profile; and when the display name changed, every response that shows it (this author's posts, the list
        // pages and comment pages that name them). Nobody else's entries.
        await services.Cache.EvictAsync(string.Equals(before.DisplayName, user.DisplayName, StringComparison.Ordinal)
            ? [CacheTags.User(user.Username)]
            : [CacheTags.User(user.Username), CacheTags.Author(user.Id)]);
        return TypedResults.Ok(user.AsResponse());
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound, ProblemHttpResult>> ChangeMyPasswordAsync(
        ChangePasswordRequest request, [AsParameters] UserServices services, [AsParameters] PasswordServices passwords, HttpContext http,
        CancellationToken ct)
    {
        if (await services.Store.FindByIdAsync(services.Caller.Id!, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        // Checking the new password tells nothing secret, so it goes first and costs no attempt.
        if (passwords.Policy.Check(request.NewPassword, user.Username, user.Email) is { } reason)
        {
            return PasswordPolicy.Refused("newPassword", reason);
        }

        // A guess of the current password from a stolen session is a sign-in attempt like any other.
        var permit = await passwords.Guard.CountAttemptAsync(user.Username, user, request.DeviceToken, ct);
        if (!permit.Allowed)
        {
            return SignInGuard.Refuse(http, permit);
        }

        if (passwords.Hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword) == PasswordVerificationResult.Failed)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is incorrect."] });
        }

        await services.Store.SetPasswordHashAsync(user.Id, passwords.Hasher.HashPassword(user, request.NewPassword), ct);
        // Every session, this one too (the request does not say which one is the caller's): the caller signs in again
        // with the new password (the web does it for the user).
        await services.Sessions.EndAllAsync(user.Id, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageResponse<UserResponse>>> ListAsync(
        string? q, int? page, int? pageSize, [AsParameters] UserServices services, CancellationToken ct)
    {
        var (pageNumber, size) = Paging.Users.Clamp(page, pageSize);
        // Clipped without splitting a surrogate pair; the stores apply the rest of the rule (see UserSearch).
        var search = string.IsNullOrWhiteSpace(q) ? null : UserSearch.Clip(q.Trim(), MaxSearchLength);
        var result = await services.Store.ListAsync(search, pageNumber, size, ct);
        return TypedResults.Ok(new PageResponse<UserResponse>([.. result.Items.Select(u => u.AsResponse())], pageNumber, size, result.Total));
    }

    private static async Task<Results<Ok<UserResponse>, NotFound, ProblemHttpResult>> ChangeRoleAsync(
        string username, ChangeRoleRequest request, [AsParameters] UserServices services, CancellationToken ct)
    {
        var role = Roles.Normalize(request.Role)!;
        var result = await ChangeAccountAsync(username, role, disabled: null, services, ct);
        // The profile shows the role.
        await services.Cache.EvictAsync(CacheTags.User(username));
        return result;
    }

    private static async Task<Results<Ok<UserResponse>, NotFound, ProblemHttpResult>> DisableAsync(
        string username, [AsParameters] UserServices services, CancellationToken ct)
    {
        var result = await ChangeAccountAsync(username, role: null, disabled: true, services, ct);
        if (result.Result is Ok<UserResponse> { Value: { } disabled })
        {
            // Re-enabling the account later must not bring these sessions back.
            await services.Sessions.EndAllAsync(disabled.Id, ct);
        }

        return result;
    }

    private static Task<Results<Ok<UserResponse>, NotFound, ProblemHttpResult>> EnableAsync(
        string username, [AsParameters] UserServices services, CancellationToken ct) =>
        ChangeAccountAsync(username, role: null, disabled: false, services, ct);

    private static async Task<Results<Ok<UserResponse>, NotFound, ProblemHttpResult>> ChangeAccountAsync(
        string username, string? role, bool? disabled, UserServices services, CancellationToken ct)
    {
        var users = services.Store;
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
        services.Status.Evict(user.Id);
        return await users.FindByIdAsync(user.Id, ct) is { } changed ? TypedResults.Ok(changed.AsResponse()) : TypedResults.NotFound();
    }

    private static async Task<Results<NoContent, ValidationProblem, NotFound>> ResetPasswordAsync(
        string username, ResetPasswordRequest request, [AsParameters] UserServices services, [AsParameters] PasswordServices passwords,
        CancellationToken ct)
    {
        if (await services.Store.FindByUsernameAsync(username, ct) is not { } user)
        {
            return TypedResults.NotFound();
        }

        if (passwords.Policy.Check(request.NewPassword, user.Username, user.Email) is { } reason)
        {
            return PasswordPolicy.Refused("newPassword", reason);
        }

        await services.Store.SetPasswordHashAsync(user.Id, passwords.Hasher.HashPassword(user, request.NewPassword), ct);
        await services.Sessions.EndAllAsync(user.Id, ct);
        return TypedResults.NoContent();
    }
}
