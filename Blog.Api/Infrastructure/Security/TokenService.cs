using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Blog.Api.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Blog.Api;

/// <summary>An access token, the refresh token that renews it, and when the access token expires.</summary>
internal sealed record TokenPair(string AccessToken, string RefreshToken, DateTime ExpiresAt);

/// <summary>
/// Mints the API's own tokens: short-lived HS256 access tokens (sub = user id, unique_name, role, jti, iat) and
/// opaque refresh tokens, of which only the SHA-256 is stored.
/// </summary>
internal sealed class TokenService(JwtSigningKey key, IOptions<JwtOptions> options, IRefreshTokenStore refreshTokens, TimeProvider time)
{
    /// <summary>Claim types, as they appear in the token (inbound claim mapping is off).</summary>
    public const string SubjectClaim = JwtRegisteredClaimNames.Sub;
    public const string NameClaim = JwtRegisteredClaimNames.UniqueName;
    public const string RoleClaim = "role";

    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, DateTime ExpiresAt) CreateAccessToken(User user)
    {
        var jwt = options.Value;
        var now = Truncate(time.GetUtcNow().UtcDateTime);
        var expires = now + jwt.AccessTokenLifetime;

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = key.Credentials,
            Subject = new ClaimsIdentity(
            [
                new Claim(SubjectClaim, user.Id),
                new Claim(NameClaim, user.Username),
                new Claim(RoleClaim, user.Role),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
        });

        return (token, expires);
    }

    /// <summary>A new access token and a new refresh token; <paramref name="familyId"/> null starts a new family (a sign-in).</summary>
    public async Task<TokenPair> IssueAsync(User user, string? familyId, CancellationToken ct = default)
    {
        var (accessToken, expiresAt) = CreateAccessToken(user);

        var refreshToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var now = Truncate(time.GetUtcNow().UtcDateTime);
        await refreshTokens.CreateAsync(new RefreshToken
        {
            Id = Guid.NewGuid().ToString("N"),
            TokenHash = HashRefreshToken(refreshToken),
            UserId = user.Id,
            FamilyId = familyId ?? Guid.NewGuid().ToString("N"),
            CreatedAt = now,
            ExpiresAt = now + options.Value.RefreshTokenLifetime,
        }, ct);

        return new TokenPair(accessToken, refreshToken, expiresAt);
    }

    /// <summary>SHA-256 of the token's text, lower-case hex: the only form in which a refresh token is stored.</summary>
    public static string HashRefreshToken(string refreshToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));

    // Storage keeps milliseconds; tokens carry whole seconds.
    private static DateTime Truncate(DateTime value) => new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
