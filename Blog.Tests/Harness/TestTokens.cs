using System.Globalization;
using System.Security.Claims;
using System.Text;
using Blog.Tests.Api;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Blog.Tests.Harness;

/// <summary>Hand-made access tokens, for tests of what the API refuses.</summary>
internal static class TestTokens
{
    /// <summary>
    /// A token shaped like the API's (issuer, audience, sub, unique_name, role, jti, fid, sv, 15 min), signed with
    /// <see cref="BlogApiFactory.SigningKey"/>, changed by <paramref name="change"/>.
    /// <paramref name="familyId"/> names the sign-in (a made-up one unless given: refused as an unknown session).
    /// </summary>
    public static string MintToken(
        string userId, string role, Action<SecurityTokenDescriptor>? change = null, string? familyId = null, long sessionVersion = 0)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = BlogApiFactory.Issuer,
            Audience = BlogApiFactory.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(15),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(BlogApiFactory.SigningKey)), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId),
                new Claim(JwtRegisteredClaimNames.UniqueName, "someone"),
                new Claim("role", role),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim("fid", familyId ?? Guid.NewGuid().ToString("N")),
                new Claim("sv", sessionVersion.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            ]),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>A claim of an access token, read without validating it.</summary>
    public static string? ClaimOf(string accessToken, string type) =>
        new JsonWebToken(accessToken).Claims.FirstOrDefault(c => c.Type == type)?.Value;
}
