using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Blog.Api.Posts;

/// <summary>
/// A post's tags: trimmed, lower-case, without duplicates, in the order given. At most <see cref="MaxCount"/> tags of
/// at most <see cref="MaxLength"/> characters: letters, digits and <c>- _ . + #</c> (so "c#", "asp.net", "c++").
/// </summary>
internal static class PostTags
{
    public const int MaxCount = 10;
    public const int MaxLength = 32;

    public static List<string> Normalize(IEnumerable<string?>? tags) =>
        tags is null ? [] : tags.Select(Normalize).OfType<string>().Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    public static string? Normalize(string? tag) => tag?.Trim().ToLower(CultureInfo.InvariantCulture);

    public static bool IsValid(string tag) =>
        tag.Length is > 0 and <= MaxLength && tag.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '+' or '#');
}

/// <summary>Validates a tag list by the rules of <see cref="PostTags"/> (after normalising it).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
internal sealed class PostTagsAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not IEnumerable<string?> given)
        {
            return ValidationResult.Success;
        }

        var tags = PostTags.Normalize(given);
        string? error = null;
        if (tags.Count > PostTags.MaxCount)
        {
            error = $"At most {PostTags.MaxCount} tags.";
        }
        else if (tags.FirstOrDefault(t => !PostTags.IsValid(t)) is { } bad)
        {
            error = $"Tag '{Shorten(bad)}' is invalid: up to {PostTags.MaxLength} letters, digits or - _ . + #.";
        }

        return error is null
            ? ValidationResult.Success
            : new ValidationResult(error, validationContext.MemberName is { } member ? [member] : null);
    }

    private static string Shorten(string tag) => tag.Length <= 40 ? tag : tag[..40] + "...";
}
