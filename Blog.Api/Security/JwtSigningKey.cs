using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Blog.Api.Security;

/// <summary>
/// The one HS256 key of this process, shared by the token issuer and the bearer validation. Built once: in
/// Development without a configured key it is random (tokens then die with the process); elsewhere options
/// validation has already refused to start without a strong key.
/// </summary>
internal sealed class JwtSigningKey
{
    public JwtSigningKey(IOptions<JwtOptions> options, ILogger<JwtSigningKey> logger)
    {
        var configured = options.Value.SigningKey;
        byte[] bytes;
        if (string.IsNullOrEmpty(configured))
        {
            bytes = RandomNumberGenerator.GetBytes(64);
            logger.LogWarning("Jwt:SigningKey is not set: using an ephemeral random key (Development only). Tokens stop validating when the process restarts.");
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(configured);
        }

        Key = new SymmetricSecurityKey(bytes);
        Credentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256);
        // A separate key for a separate purpose (never the signing key itself), the same on every replica.
        SuccessorKey = HMACSHA256.HashData(bytes, "blog-api/refresh-successor/v1"u8);
    }

    /// <summary>Derives a spent refresh token's successor (see <see cref="TokenService.Successor"/>).</summary>
    public byte[] SuccessorKey { get; }

    public SymmetricSecurityKey Key { get; }

    public SigningCredentials Credentials { get; }
}
