using System.Globalization;
using System.Security.Claims;
using Blog.Api.Http;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Blog.Api.Security;

/// <summary>
/// Bearer validation of the API's own tokens: HS256 only (so <c>alg: none</c> and every other algorithm are refused),
/// issuer, audience, lifetime with 30 s skew; then the user's current role and status from the store.
/// </summary>
internal sealed class JwtBearerSetup(IOptions<JwtOptions> jwtOptions, JwtSigningKey signingKey) : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(JwtBearerOptions options) => Configure(JwtBearerDefaults.AuthenticationScheme, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }

        var jwt = jwtOptions.Value;
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = jwt.Issuer,
            ValidateAudience = true,
            ValidAudience = jwt.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            IssuerSigningKey = signingKey.Key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = JwtOptions.ClockSkew,
            NameClaimType = TokenService.NameClaim,
            RoleClaimType = TokenService.RoleClaim,
        };
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = ApplyCurrentStatusAsync,
            OnChallenge = WriteChallengeAsync,
            OnForbidden = WriteForbiddenAsync,
        };
    }

    /// <summary>
    /// A disabled or deleted user is refused (401) even with an unexpired token, and so is a token of an ended session:
    /// its family revoked (sign-out, reuse detected) or past its absolute lifetime, or the user's session version moved
    /// on (password change or reset, disable). A user whose role changed gets the current role, not the one in the token.
    /// </summary>
    private static async Task ApplyCurrentStatusAsync(TokenValidatedContext context)
    {
        var userId = context.Principal?.FindFirstValue(TokenService.SubjectClaim);
        if (context.Principal?.Identity is not ClaimsIdentity identity || string.IsNullOrEmpty(userId))
        {
            context.Fail("The token has no subject.");
            return;
        }

        var familyId = identity.FindFirst(TokenService.FamilyClaim)?.Value;
        if (string.IsNullOrEmpty(familyId)
            || !long.TryParse(identity.FindFirst(TokenService.SessionVersionClaim)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var sessionVersion))
        {
            context.Fail("The token names no session.");
            return;
        }

        var services = context.HttpContext.RequestServices;
        var cache = services.GetRequiredService<UserStatusCache>();
        var ct = context.HttpContext.RequestAborted;
        var status = await cache.GetAsync(services.GetRequiredService<IUserStore>(), userId, ct);
        if (status is null || status.Disabled)
        {
            context.Fail("The account is disabled or no longer exists.");
            return;
        }

        if (status.SessionVersion != sessionVersion)
        {
            context.Fail("The sessions of this account were ended.");
            return;
        }

        var family = await cache.GetFamilyAsync(services.GetRequiredService<IRefreshTokenStore>(), familyId, ct);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        if (family is null || family.Revoked || family.UserId != userId || family.ExpiresAt <= now)
        {
            context.Fail("The session has ended.");
            return;
        }

        var roles = identity.FindAll(TokenService.RoleClaim).ToList();
        if (roles.Count != 1 || roles[0].Value != status.Role)
        {
            var current = new ClaimsIdentity(
                identity.Claims.Where(c => c.Type != TokenService.RoleClaim).Append(new Claim(TokenService.RoleClaim, status.Role)),
                identity.AuthenticationType,
                identity.NameClaimType,
                identity.RoleClaimType);
            context.Principal = new ClaimsPrincipal(current);
        }
    }

    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var expired = context.AuthenticateFailure is SecurityTokenExpiredException;
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null
            ? "Bearer"
            : expired ? "Bearer error=\"invalid_token\", error_description=\"The token expired\"" : "Bearer error=\"invalid_token\"";

        await ProblemResponses.WriteAsync(
            context.HttpContext,
            StatusCodes.Status401Unauthorized,
            context.AuthenticateFailure is null ? "A bearer access token is required."
                : expired ? "The access token has expired." : "The access token is not valid.");
    }

    private static Task WriteForbiddenAsync(ForbiddenContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "You do not have permission to do this.");
    }
}
