using System.ComponentModel.DataAnnotations;

namespace Blog.Web.Components.Shared;

// Form models of the SSR forms. Property names match the API's camelCase fields (case-insensitively), so that
// ProblemDetails errors land next to the right field (see ApiValidation).

public sealed record CommentEdit(string Id, string Body);

public sealed record CommentVisibility(string Id, bool Hide);

public sealed class CommentForm
{
    [Required(ErrorMessage = "Write something first.")]
    [StringLength(5000, ErrorMessage = "Comments are limited to {1} characters.")]
    public string? Body { get; set; }
}

public sealed class CommentEditForm
{
    public string? Id { get; set; }

    [Required(ErrorMessage = "A comment cannot be empty.")]
    [StringLength(5000, ErrorMessage = "Comments are limited to {1} characters.")]
    public string? Body { get; set; }
}

public sealed class SignInForm
{
    [Required(ErrorMessage = "Enter your username or email.")]
    public string? Login { get; set; }

    [Required(ErrorMessage = "Enter your password.")]
    public string? Password { get; set; }
}

public sealed class SignUpForm
{
    [Required(ErrorMessage = "Choose a username.")]
    [StringLength(32, MinimumLength = 3, ErrorMessage = "Usernames are {2} to {1} characters.")]
    [RegularExpression("^[A-Za-z0-9_-]+$", ErrorMessage = "Use letters, digits, '-' or '_'.")]
    public string? Username { get; set; }

    [Required(ErrorMessage = "Enter your email.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    public string? Email { get; set; }

    [StringLength(64, ErrorMessage = "Display names are at most {1} characters.")]
    public string? DisplayName { get; set; }

    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(128, MinimumLength = 8, ErrorMessage = "Passwords are at least {2} characters.")]
    public string? Password { get; set; }

    [Required(ErrorMessage = "Repeat your password.")]
    [Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
    public string? ConfirmPassword { get; set; }
}

public sealed class ProfileForm
{
    [Required(ErrorMessage = "Enter a display name.")]
    [StringLength(64, ErrorMessage = "Display names are at most {1} characters.")]
    public string? DisplayName { get; set; }

    [StringLength(1000, ErrorMessage = "Bios are at most {1} characters.")]
    public string? Bio { get; set; }
}

public sealed class PasswordForm
{
    [Required(ErrorMessage = "Enter your current password.")]
    public string? CurrentPassword { get; set; }

    [Required(ErrorMessage = "Choose a new password.")]
    [StringLength(128, MinimumLength = 8, ErrorMessage = "Passwords are at least {2} characters.")]
    public string? NewPassword { get; set; }

    [Required(ErrorMessage = "Repeat the new password.")]
    [Compare(nameof(NewPassword), ErrorMessage = "The passwords do not match.")]
    public string? ConfirmPassword { get; set; }
}

public sealed class PostForm
{
    [Required(ErrorMessage = "Give your post a title.")]
    [StringLength(200, ErrorMessage = "Titles are at most {1} characters.")]
    public string? Title { get; set; }

    [StringLength(500, ErrorMessage = "Summaries are at most {1} characters.")]
    public string? Summary { get; set; }

    /// <summary>Comma- or space-separated; sent to the API as a list.</summary>
    [StringLength(300, ErrorMessage = "Too many tags.")]
    public string? Tags { get; set; }

    [Required(ErrorMessage = "Write the post's body.")]
    public string? Body { get; set; }

    /// <summary>The version the user started from: sent back as If-Match.</summary>
    public long Version { get; set; }

    /// <summary>Which submit button: preview, save, publish, unpublish.</summary>
    public string? Action { get; set; }

    public IReadOnlyList<string> TagList() =>
        (Tags ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => t.TrimStart('#').ToLowerInvariant())
            .Where(t => t.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
}
