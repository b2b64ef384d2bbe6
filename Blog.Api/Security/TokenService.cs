using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Blog.Api.Storage;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Blog.Api.Security;

/// <summary>An access token, the refresh token that renews it, and when the access token expires.</summary>
internal sealed record TokenPair(string AccessToken, string RefreshToken, DateTime ExpiresAt);

/// <summary>
/// Mints the API's own tokens: short-lived HS256 access tokens (sub = user id, unique_name, role, jti, iat, and the
/// session they belong to: <c>fid</c>, <c>sv</c>) and opaque refresh tokens, of which only the SHA-256 is stored.
/// </summary>
internal sealed class TokenService(JwtSigningKey key, IOptions<JwtOptions> options, IRefreshTokenStore refreshTokens, TimeProvider time)
{
    /// <summary>Claim types, as they appear in the token (inbound claim mapping is off).</summary>
    public const string SubjectClaim = JwtRegisteredClaimNames.Sub;
    public const string NameClaim = JwtRegisteredClaimNames.UniqueName;
    public const string RoleClaim = "role";
    /// <summary>The refresh family (sign-in) the token was minted for: revoking the family ends the access token too.</summary>
    public const string FamilyClaim = "fid";
    /// <summary>The user's <see cref="User.SessionVersion"/> when the family started: a newer one ends the access token.</summary>
    public const string SessionVersionClaim = "sv";

    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>
    /// An access token for <paramref name="family"/>, issued at <paramref name="issuedAt"/> with id <paramref name="tokenId"/>,
    /// never outliving the family. HS256 is deterministic: the same inputs give the same token, which is how a replay
    /// within the grace window gets the very pair the first refresh got.
    /// </summary>
    private (string Token, DateTime ExpiresAt) CreateAccessToken(User user, RefreshFamily family, DateTime issuedAt, string tokenId)
    {
        var jwt = options.Value;
        var now = Truncate(issuedAt);
        var familyEnd = Truncate(family.ExpiresAt);
        var expires = now + jwt.AccessTokenLifetime < familyEnd ? now + jwt.AccessTokenLifetime : familyEnd;

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
                new Claim(JwtRegisteredClaimNames.Jti, tokenId),
                new Claim(FamilyClaim, family.Id),
                new Claim(SessionVersionClaim, family.SessionVersion.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            ]),
        });

        return (token, expires);
    }

    /// <summary>
    /// A new sign-in: a new refresh family (bound to the user's current <see cref="User.SessionVersion"/>, as read
    /// together with the password hash) and its first pair. Rotation is <see cref="RotateAsync"/>: <paramref name="familyId"/>
    /// must be null.
    /// </summary>
    public async Task<TokenPair> IssueAsync(User user, string? familyId, CancellationToken ct = default)
    {
        if (familyId is not null)
        {
            throw new ArgumentException("A pair for an existing family comes only from RotateAsync.", nameof(familyId));
        }

        // The family keeps the exact time (not whole seconds): its absolute lifetime is not cut short by up to a second.
        var started = time.GetUtcNowForStorage();
        var now = Truncate(started);
        var family = new RefreshFamily
        {
            Id = Guid.NewGuid().ToString("N"),
            UserId = user.Id,
            SessionVersion = user.SessionVersion,
            CreatedAt = started,
            ExpiresAt = started + options.Value.RefreshFamilyLifetime,
        };
        await refreshTokens.CreateFamilyAsync(family, ct);

        var refreshToken = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var record = NewRecord(Guid.NewGuid().ToString("N"), refreshToken, user, family, now);
        await refreshTokens.CreateAsync(record, ct);

        var (accessToken, expiresAt) = CreateAccessToken(user, family, now, record.Id);
        return new TokenPair(accessToken, refreshToken, expiresAt);
    }

    /// <summary>
    /// The successor pair of the spent refresh token <paramref name="spentToken"/> (its text as presented). The
    /// successor is derived from it with a server key (<see cref="Successor"/>), so it need not be kept anywhere in
    /// the clear: every replay within the grace window, on any replica, derives the same token, finds the same record
    /// (created once: the id is derived too, and the store refuses a second insert) and signs the same access token.
    /// </summary>
    public async Task<TokenPair> RotateAsync(User user, RefreshFamily family, string spentToken, CancellationToken ct = default)
    {
        var (refreshToken, id) = Successor(spentToken);
        var record = NewRecord(id, refreshToken, user, family, Truncate(time.GetUtcNow().UtcDateTime));
        try
        {
            await refreshTokens.CreateAsync(record, ct);
        }
        catch (DuplicateKeyException)
        {
            // A replay (or a concurrent first use): the successor exists; its creation time fixes the access token.
            record = await refreshTokens.FindByIdAsync(id, ct)
                ?? throw new InvalidOperationException("The successor refresh token vanished while being read.");
        }

        var (accessToken, expiresAt) = CreateAccessToken(user, family, record.CreatedAt, record.Id);
        return new TokenPair(accessToken, refreshToken, expiresAt);
    }

    /// <summary>
    /// The successor of a refresh token and its record id: HMAC-SHA256 under <see cref="JwtSigningKey.SuccessorKey"/>
    /// of the token's text. Only someone who holds the token (and the server key) can compute it; the store's hashes
    /// do not help.
    /// </summary>
    internal (string Token, string Id) Successor(string spentToken)
    {
        var token = Base64UrlEncoder.Encode(HMACSHA256.HashData(key.SuccessorKey, Encoding.UTF8.GetBytes("token:" + spentToken)));
        var id = Convert.ToHexStringLower(HMACSHA256.HashData(key.SuccessorKey, Encoding.UTF8.GetBytes("id:" + spentToken)))[..32];
        return (token, id);
    }

    private RefreshToken NewRecord(string id, string refreshToken, User user, RefreshFamily family, DateTime now)
    {
        var expires = now + options.Value.RefreshTokenLifetime;
        return new RefreshToken
        {
            Id = id,
            TokenHash = HashRefreshToken(refreshToken),
            UserId = user.Id,
            FamilyId = family.Id,
            CreatedAt = now,
            // Never past the family's absolute end.
            ExpiresAt = expires < family.ExpiresAt ? expires : family.ExpiresAt,
        };
    }

    /// <summary>SHA-256 of the token's text, lower-case hex: the only form in which a refresh token is stored.</summary>
    public static string HashRefreshToken(string refreshToken) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(refreshToken)));

    // Storage keeps milliseconds; tokens carry whole seconds.
    private static DateTime Truncate(DateTime value) => new(value.Ticks - value.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);
}
