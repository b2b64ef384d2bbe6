using System.Globalization;
using System.Text;

namespace Blog.Api.Posts;

/// <summary>
/// URL slugs from titles: lower-case ASCII letters, digits and single hyphens, diacritics folded ("Crème brûlée" ->
/// "creme-brulee"), at most <see cref="MaxLength"/> characters. A post keeps its first slug for life.
/// </summary>
internal static class Slugs
{
    public const int MaxLength = 80;

    private const string Fallback = "post";

    // Letters that carry no combining mark to strip, so Unicode decomposition does not fold them.
    private static readonly Dictionary<char, string> Transliterations = new()
    {
        ['ß'] = "ss", ['æ'] = "ae", ['œ'] = "oe", ['ø'] = "o", ['đ'] = "d", ['ð'] = "d", ['ł'] = "l", ['þ'] = "th", ['ı'] = "i",
    };

    public static string FromTitle(string title)
    {
        var slug = new StringBuilder(Math.Min(title.Length, MaxLength));
        var pendingHyphen = false;
        foreach (var c in title.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var lower = char.ToLowerInvariant(c);
            var text = char.IsAsciiLetterOrDigit(lower) ? lower.ToString()
                : Transliterations.GetValueOrDefault(lower);
            if (text is null)
            {
                pendingHyphen = slug.Length > 0;
                continue;
            }

            if (pendingHyphen)
            {
                slug.Append('-');
                pendingHyphen = false;
            }

            slug.Append(text);
            if (slug.Length >= MaxLength)
            {
                break;
            }
        }

        return slug.Length == 0 ? Fallback : Truncate(slug.ToString(), MaxLength);
    }

    /// <summary>The <paramref name="n"/>-th candidate for a taken slug: "slug-2", "slug-3", ..., still within the length limit.</summary>
    public static string WithSuffix(string slug, int n)
    {
        var suffix = "-" + n.ToString(CultureInfo.InvariantCulture);
        return Truncate(slug, MaxLength - suffix.Length) + suffix;
    }

    // Cuts at a hyphen when one is near the end, so a slug does not end in half a word.
    private static string Truncate(string slug, int maxLength)
    {
        if (slug.Length <= maxLength)
        {
            return slug;
        }

        var cut = slug[..maxLength];
        var lastHyphen = cut.LastIndexOf('-');
        return (lastHyphen > maxLength / 2 ? cut[..lastHyphen] : cut).TrimEnd('-');
    }
}
