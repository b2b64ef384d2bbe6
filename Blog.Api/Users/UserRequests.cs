using System.ComponentModel.DataAnnotations;
using Blog.Api.Auth;
using Blog.Api.Storage;

namespace Blog.Api.Users;

public sealed record UpdateProfileRequest(
    [Required, StringLength(AuthRules.MaxDisplayNameLength)] string DisplayName,
    [StringLength(UpdateProfileRequest.MaxBioLength)] string? Bio)
{
    public const int MaxBioLength = 1000;
}

/// <summary>
/// <see cref="CurrentPassword"/> is a password attempt like a sign-in: it is counted by <c>SignInGuard</c> in the
/// account's bucket, or in this device's when <see cref="DeviceToken"/> (from a sign-in) is valid for the account.
/// </summary>
public sealed record ChangePasswordRequest(
    [Required, StringLength(AuthRules.MaxPasswordLength)] string CurrentPassword,
    [Required, StringLength(AuthRules.MaxPasswordLength, MinimumLength = AuthRules.MinPasswordLength)] string NewPassword,
    [StringLength(AuthRules.MaxDeviceTokenLength)] string? DeviceToken = null);

/// <summary><see cref="Role"/>: Reader, Author, Editor or Admin, in any case.</summary>
public sealed record ChangeRoleRequest([Required] string Role) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Role is not null && Roles.Normalize(Role) is null)
        {
            yield return new ValidationResult($"The role must be one of {string.Join(", ", Roles.All)}.", [nameof(Role)]);
        }
    }
}

public sealed record ResetPasswordRequest(
    [Required, StringLength(AuthRules.MaxPasswordLength, MinimumLength = AuthRules.MinPasswordLength)] string NewPassword);
