using System.Text;
using Microsoft.Extensions.Options;

namespace Blog.Api.Security;

/// <summary>
/// Token settings, bound from the <c>Jwt</c> section. The AppHost passes the signing key as <c>Jwt__SigningKey</c>
/// from its secret parameter <c>jwt-signing-key</c>.
/// </summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    /// <summary>HMAC-SHA256 needs a key at least as long as its output: 32 bytes.</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>
    /// A key of 32 bytes can still carry almost no entropy (<c>"a"</c> 32 times). Requiring 16 distinct characters
    /// refuses such keys; a random hex key of 64 characters has all 16 hex digits, base64 or alphanumeric keys far more.
    /// </summary>
    public const int MinimumDistinctKeyCharacters = 16;

    /// <summary>
    /// The HS256 key: its UTF-8 bytes are the key, at least 32 of them. Give it 256 bits of entropy: e.g. 43+ random
    /// characters from a 64-character alphabet (<c>openssl rand -base64 48</c>). Never logged.
    /// </summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "blog-api";

    public string Audience { get; set; } = "blog";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// The absolute lifetime of a sign-in (a refresh family): however often it is refreshed, its tokens stop working
    /// this long after the password was entered, and the user signs in again.
    /// </summary>
    public TimeSpan RefreshFamilyLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// A refresh token spent less than this long ago may be spent again (two tabs refreshing at once) and yields the
    /// same successor as the first time (never a second live token); after it, a reuse is treated as theft and
    /// revokes the whole family.
    /// </summary>
    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one replica caches a user's current role and disabled flag when validating an access token. This is
    /// the bound on how late a role change or a disable takes effect on another replica; at most 5 s, 0 = no cache.
    /// </summary>
    public TimeSpan UserStatusCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxUserStatusCacheDuration = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Refuses to start with a missing or short key outside Development (in Development a missing key is replaced by an
/// ephemeral one, see <see cref="JwtSigningKey"/>), and with lifetimes that make no sense.
/// </summary>
internal sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        List<string> failures = [];

        if (string.IsNullOrEmpty(options.SigningKey))
        {
            if (!environment.IsDevelopment())
            {
                failures.Add("Jwt:SigningKey is required outside Development (at least 32 bytes, 256 bits).");
            }
        }
        else if (Encoding.UTF8.GetByteCount(options.SigningKey) < JwtOptions.MinimumKeyBytes)
        {
            failures.Add($"Jwt:SigningKey is too short: HS256 needs at least {JwtOptions.MinimumKeyBytes} bytes (256 bits).");
        }
        else if (options.SigningKey.Distinct().Count() < JwtOptions.MinimumDistinctKeyCharacters)
        {
            failures.Add($"Jwt:SigningKey is too repetitive to be random: use at least {JwtOptions.MinimumDistinctKeyCharacters} distinct characters " +
                "(e.g. openssl rand -base64 48).");
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("Jwt:Issuer must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Jwt:Audience must not be empty.");
        }

        if (options.AccessTokenLifetime <= TimeSpan.Zero || options.RefreshTokenLifetime <= options.AccessTokenLifetime)
        {
            failures.Add("Jwt:AccessTokenLifetime must be positive and shorter than Jwt:RefreshTokenLifetime.");
        }

        if (options.RefreshFamilyLifetime <= options.AccessTokenLifetime)
        {
            failures.Add("Jwt:RefreshFamilyLifetime must be longer than Jwt:AccessTokenLifetime.");
        }

        if (options.RefreshReuseGrace < TimeSpan.Zero)
        {
            failures.Add("Jwt:RefreshReuseGrace must not be negative.");
        }

        if (options.UserStatusCacheDuration < TimeSpan.Zero || options.UserStatusCacheDuration > JwtOptions.MaxUserStatusCacheDuration)
        {
            failures.Add($"Jwt:UserStatusCacheDuration must be between 0 and {JwtOptions.MaxUserStatusCacheDuration.TotalSeconds} s.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
