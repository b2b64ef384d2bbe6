using System.ComponentModel.DataAnnotations;
using Blog.Api.Users;

namespace Blog.Api.Auth;

public static class AuthRules
{
    public const int MinUsernameLength = 3;
    public const int MaxUsernameLength = 32;
    public const string UsernamePattern = "^[A-Za-z0-9_-]+$";
    public const int MaxEmailLength = 254;
    public const int MinPasswordLength = 8;
    // PBKDF2 cost grows with the input; nobody needs more.
    public const int MaxPasswordLength = 128;
    public const int MaxDisplayNameLength = 64;
    public const int MaxDeviceTokenLength = 512;

    /// <summary>Usernames that collide with literal route segments (<c>/api/users/me</c>).</summary>
    public static readonly IReadOnlyList<string> ReservedUsernames = ["me"];
}

/// <summary>Registration. There is no role here: every new user is a Reader, and a "role" field in the JSON is ignored.</summary>
public sealed record RegisterRequest(
    [Required, StringLength(AuthRules.MaxUsernameLength, MinimumLength = AuthRules.MinUsernameLength),
     RegularExpression(AuthRules.UsernamePattern, ErrorMessage = "The username may contain only letters a-z, digits, '_' and '-'.")]
    string Username,
    [Required, EmailAddress, StringLength(AuthRules.MaxEmailLength)]
    string Email,
    [Required, StringLength(AuthRules.MaxPasswordLength, MinimumLength = AuthRules.MinPasswordLength)]
    string Password,
    [StringLength(AuthRules.MaxDisplayNameLength)]
    string? DisplayName) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Username is not null && AuthRules.ReservedUsernames.Contains(Username, StringComparer.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("This username is reserved.", [nameof(Username)]);
        }
    }
}

/// <summary>
/// <see cref="Login"/> is a username or an email address, in any case. <see cref="DeviceToken"/> is the one this
/// browser or client got from its last successful sign-in, if any (see <c>SignInGuard</c>).
/// </summary>
public sealed record LoginRequest(
    [Required, StringLength(AuthRules.MaxEmailLength)] string Login,
    [Required, StringLength(AuthRules.MaxPasswordLength)] string Password,
    [StringLength(AuthRules.MaxDeviceTokenLength)] string? DeviceToken = null);

public sealed record RefreshRequest([Required, StringLength(128)] string RefreshToken);

/// <summary>
/// A signed-in user and a fresh token pair. <see cref="ExpiresAt"/> is when the access token expires.
/// <see cref="DeviceToken"/> (sign-in and registration only, null on refresh) is to be kept by the client for a long
/// time and sent on its next sign-ins: they then count in this device's own bucket (see <c>SignInGuard</c>).
/// </summary>
public sealed record AuthResponse(UserResponse User, string AccessToken, string RefreshToken, DateTime ExpiresAt, string? DeviceToken = null);
