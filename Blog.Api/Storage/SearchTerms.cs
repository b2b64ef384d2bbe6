using System.Globalization;
using System.Text;

namespace Blog.Api.Storage;

/// <summary>
/// The one definition of "word" for search, used when a post is stored and when a query is parsed, so MongoDB and
/// LiteDB match the same posts: whole words, lower-case invariant, letters and digits only, diacritics kept.
/// </summary>
public static class SearchTerms
{
    public const int MaxQueryTerms = 8;

    public static List<string> FromPost(string title, string summary, string body) =>
        Tokenize($"{title}\n{summary}\n{body}").Distinct(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<string> Parse(string? query) =>
        string.IsNullOrWhiteSpace(query) ? [] : Tokenize(query).Distinct(StringComparer.Ordinal).Take(MaxQueryTerms).ToList();

    private static IEnumerable<string> Tokenize(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLower(c, CultureInfo.InvariantCulture));
            }
            else if (word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
