using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Blog.Api.Posts;

/// <summary>
/// URL slugs from titles: lower-case ASCII letters, digits and single hyphens, diacritics folded ("Crème brûlée" ->
/// "creme-brulee"), at most <see cref="MaxLength"/> characters.
/// <para>
/// Only published posts hold such a public slug. A draft's slug is private: the base, a double hyphen (which no title
/// gives) and random hex ("creme-brulee--3f9a0c51d2e4"), so it never collides with a public slug and no other author's
/// answer depends on it. Publishing gives the post its public slug (the first free one of base, base-2, ...: only
/// published posts can hold those); unpublishing turns it back into a draft slug on the same base.
/// </para>
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

    /// <summary>Separates a draft slug's base from its random part; <see cref="FromTitle"/> never produces it.</summary>
    public const string DraftMarker = "--";

    private const int DraftRandomHexLength = 12;

    /// <summary>A private draft slug on <paramref name="baseSlug"/> (a public slug or one from a title): base, "--", 48 random bits.</summary>
    public static string ForDraft(string baseSlug)
    {
        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(DraftRandomHexLength / 2));
        return Truncate(BaseOf(baseSlug), MaxLength - DraftMarker.Length - DraftRandomHexLength) + DraftMarker + random;
    }

    public static bool IsDraft(string slug) => slug.Contains(DraftMarker, StringComparison.Ordinal);

    /// <summary>The public part of a slug: all of a public slug, the part before "--" of a draft slug.</summary>
    public static string BaseOf(string slug)
    {
        var marker = slug.IndexOf(DraftMarker, StringComparison.Ordinal);
        var baseSlug = marker < 0 ? slug : slug[..marker];
        return baseSlug.Length == 0 ? Fallback : baseSlug;
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
