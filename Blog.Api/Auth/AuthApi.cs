using Blog.Api.Security;
using Blog.Api.Storage;
using Blog.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Blog.Api.Auth;

public static class AuthApi
{
    private const string InvalidCredentials = "The username/email or password is incorrect.";
    private const string InvalidRefreshToken = "The refresh token is not valid. Sign in again.";

    /// <summary>
    /// <c>/api/auth</c>: register, login, refresh, logout, me. Register and login are rate limited per client IP;
    /// password attempts are also counted per login and per device by <see cref="SignInGuard"/> (see <see cref="SignInThrottleOptions"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/register", RegisterAsync)
            .RequireRateLimiting(RateLimitPolicies.Auth)
            .WithName("Register")
            .WithSummary("Create an account (always a Reader) and sign in")
            .WithDescription("The password must not be a common password or the same as the username or email (400, errors.password).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/login", LoginAsync)
            .RequireRateLimiting(RateLimitPolicies.Auth)
            .WithName("Login")
            .WithSummary("Sign in with username or email and password")
            .WithDescription("Wrong password and unknown user give the same 401. Every attempt is counted before the password is checked: " +
                "SignIn:MaxAttemptsPerWindow per login per SignIn:Window from all clients together, or SignIn:MaxDeviceAttemptsPerWindow " +
                "for a request whose deviceToken (from an earlier successful sign-in) is valid for the account. Over the limit: 429 with " +
                "Retry-After, for known and unknown logins alike.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/refresh", RefreshAsync)
            .RequireRateLimiting(RateLimitPolicies.Refresh)
            .WithName("Refresh")
            .WithSummary("Exchange a refresh token for a new token pair (rotation)")
            .WithDescription("A refresh token works once. Spending it again within a short grace window (two tabs) gives the same " +
                "successor pair again; later, it revokes every token of that sign-in. A sign-in ends Jwt:RefreshFamilyLifetime after it " +
                "began (30 days by default), however often it is refreshed.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("/logout", LogoutAsync)
            .RequireRateLimiting(RateLimitPolicies.Refresh)
            .WithName("Logout")
            .WithSummary("Revoke the refresh token and the sign-in it belongs to; its access tokens stop working within seconds")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/me", GetMeAsync)
            .RequireAuthorization(Policies.Authenticated)
            .WithName("GetMe")
            .WithSummary("The signed-in user")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        return app;
    }

    private static async Task<Results<Created<AuthResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, [AsParameters] AuthServices services, [AsParameters] PasswordServices passwords, CancellationToken ct)
    {
        var email = request.Email.Trim();
        if (passwords.Policy.Check(request.Password, request.Username, email) is { } reason)
        {
            return PasswordPolicy.Refused("password", reason);
        }

        var user = new User
        {
            Id = Guid.NewGuid().ToString("N"),
            Username = request.Username,
            NormalizedUsername = request.Username.ToLowerInvariant(),
            Email = email,
            NormalizedEmail = email.ToLowerInvariant(),
            DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? request.Username : request.DisplayName.Trim(),
            Role = Roles.Reader,
            PasswordHash = "",
            CreatedAt = services.Clock.GetUtcNowForStorage(),
        };
        user.PasswordHash = passwords.Hasher.HashPassword(user, request.Password);

        try
        {
            await services.Users.CreateAsync(user, ct);
        }
        catch (DuplicateKeyException ex)
        {
            return Duplicate(ex.Field);
        }

        var pair = await services.Tokens.IssueAsync(user, familyId: null, ct);
        return TypedResults.Created($"/api/users/{Uri.EscapeDataString(user.Username)}", ToResponse(user, pair, services.Devices.Issue(user.Id)));
    }

    private static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, [AsParameters] AuthServices services, [AsParameters] PasswordServices passwords, HttpContext http, CancellationToken ct)
    {
        var login = request.Login.Trim();
        var user = await services.Users.FindByLoginAsync(login, ct);
        var hasher = passwords.Hasher;

        // Counted before anything is verified, for unknown logins too: over the limit nothing is checked at all.
        var permit = await passwords.Guard.CountAttemptAsync(login, user, request.DeviceToken, ct);
        if (!permit.Allowed)
        {
            return SignInGuard.Refuse(http, permit);
        }

        if (user is null)
        {
            // Same work as for a real account, so that timing does not tell which logins exist.
            DummyPassword.Verify(hasher, request.Password);
            return Unauthorized(InvalidCredentials);
        }

        var verification = hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password);
        if (verification == PasswordVerificationResult.Failed)
        {
            return Unauthorized(InvalidCredentials);
        }

        // Said only to someone who knows the password.
        if (user.Disabled)
        {
            return Unauthorized("This account is disabled.");
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await services.Users.SetPasswordHashAsync(user.Id, hasher.HashPassword(user, request.Password), ct);
        }

        var pair = await services.Tokens.IssueAsync(user, familyId: null, ct);
        return TypedResults.Ok(ToResponse(user, pair, services.Devices.Issue(user.Id)));
    }

    private static async Task<Results<Ok<AuthResponse>, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, [AsParameters] AuthServices services, IOptions<JwtOptions> jwt, CancellationToken ct)
    {
        var refreshTokens = services.RefreshTokens;
        var now = services.Clock.GetUtcNowForStorage();
        var stored = await refreshTokens.FindByHashAsync(TokenService.HashRefreshToken(request.RefreshToken), ct);
        if (stored is null || stored.RevokedAt is not null || stored.ExpiresAt <= now)
        {
            return Unauthorized(InvalidRefreshToken);
        }

        // The family is the truth about the sign-in: revoked (sign-out, reuse) or past its absolute lifetime, no token
        // of it works, whatever the token's own record says.
        var family = await refreshTokens.FindFamilyAsync(stored.FamilyId, ct);
        if (family is null || family.RevokedAt is not null || family.ExpiresAt <= now)
        {
            return Unauthorized(InvalidRefreshToken);
        }

        var user = await services.Users.FindByIdAsync(stored.UserId, ct);
        if (user is null || user.Disabled || user.SessionVersion != family.SessionVersion)
        {
            await RevokeFamilyAsync(services, family.Id, now, ct);
            return Unauthorized(InvalidRefreshToken);
        }

        if (stored.ConsumedAt is null && !await refreshTokens.TryConsumeAsync(stored.Id, now, ct))
        {
            // Another request spent it a moment ago: the same situation as two tabs, inside the grace window.
            stored.ConsumedAt = now;
        }
        else if (stored.ConsumedAt is { } consumedAt && now - consumedAt > jwt.Value.RefreshReuseGrace)
        {
            // A spent token presented again after the grace window: someone kept a copy. End the whole sign-in.
            await RevokeFamilyAsync(services, family.Id, now, ct);
            return Unauthorized(InvalidRefreshToken);
        }

        // First use and every replay within the grace get the same successor pair: one session, never a fork.
        var pair = await services.Tokens.RotateAsync(user, family, request.RefreshToken, ct);

        // A sign-out or reuse detection that ran while we rotated: the successor is dead anyway (every use reads the
        // family), and this answer must not pretend otherwise.
        if (await refreshTokens.FindFamilyAsync(family.Id, ct) is not { RevokedAt: null })
        {
            return Unauthorized(InvalidRefreshToken);
        }

        return TypedResults.Ok(ToResponse(user, pair));
    }

    private static async Task<NoContent> LogoutAsync(RefreshRequest request, [AsParameters] AuthServices services, CancellationToken ct)
    {
        // Unknown or already revoked tokens also get 204: logout is idempotent and tells nothing.
        var stored = await services.RefreshTokens.FindByHashAsync(TokenService.HashRefreshToken(request.RefreshToken), ct);
        if (stored is not null)
        {
            await RevokeFamilyAsync(services, stored.FamilyId, services.Clock.GetUtcNowForStorage(), ct);
        }

        return TypedResults.NoContent();
    }

    /// <summary>Ends the sign-in: its refresh tokens at once, its access tokens within the status cache window.</summary>
    private static async Task RevokeFamilyAsync(AuthServices services, string familyId, DateTime now, CancellationToken ct)
    {
        await services.RefreshTokens.RevokeFamilyAsync(familyId, now, ct);
        services.Status.EvictFamily(familyId);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetMeAsync(
        CurrentUser currentUser, [AsParameters] AuthServices services, CancellationToken ct)
    {
        var user = await services.Users.FindByIdAsync(currentUser.Id!, ct);
        return user is null ? Unauthorized("The account no longer exists.") : TypedResults.Ok(user.AsResponse());
    }

    private static AuthResponse ToResponse(User user, TokenPair pair, string? deviceToken = null) =>
        new(user.AsResponse(), pair.AccessToken, pair.RefreshToken, pair.ExpiresAt, deviceToken);

    private static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: detail);

    /// <summary>409 naming the taken field, also as <c>errors</c> so that a form can show it next to the field.</summary>
    private static ProblemHttpResult Duplicate(string field) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        detail: $"The {field} is already taken.",
        extensions: new Dictionary<string, object?>
        {
            ["field"] = field,
            ["errors"] = new Dictionary<string, string[]> { [field] = [$"The {field} is already taken."] },
        });

    /// <summary>A hash of a random password, computed once, to verify against when the login names nobody.</summary>
    private static class DummyPassword
    {
        private static readonly User Nobody = new()
        {
            Id = "", Username = "", NormalizedUsername = "", Email = "", NormalizedEmail = "", DisplayName = "", Role = Roles.Reader, PasswordHash = "",
        };

        private static string? _hash;

        public static void Verify(IPasswordHasher<User> hasher, string password)
        {
            _hash ??= hasher.HashPassword(Nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
            hasher.VerifyHashedPassword(Nobody, _hash, password);
        }
    }
}
