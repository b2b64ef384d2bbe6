using System.Globalization;

namespace Blog.Web.Components.Shared;

internal static class PostHelpers
{
    public static string PostUrl(string slug) => $"/posts/{Uri.EscapeDataString(slug)}";

    public static string EditUrl(string slug) => $"/write/edit/{Uri.EscapeDataString(slug)}";

    public static string DeleteUrl(string slug) => $"/write/delete/{Uri.EscapeDataString(slug)}";

    public static string ProfileUrl(string username) => $"/users/{Uri.EscapeDataString(username)}";

    public static string Date(DateTimeOffset date) => date.ToString("MMM d, yyyy", CultureInfo.InvariantCulture);

    /// <summary>A local URL to come back to, or "/" when the value is missing or points elsewhere (open redirects).</summary>
    public static string SafeReturnUrl(string? returnUrl) => IsLocalUrl(returnUrl) ? returnUrl! : "/";

    /// <summary>
    /// A path on this site and nothing a browser could read as another host: one leading <c>/</c> not followed by
    /// <c>/</c>, and no control character, white space, invisible formatting character (zero-width, bidi) or
    /// backslash anywhere. Browsers drop tabs and newlines from a URL and read <c>\</c> as <c>/</c>, so
    /// <c>/\t/evil.example</c> or <c>/\evil.example</c> would become <c>//evil.example</c>, another site. Stricter
    /// than ASP.NET's <c>IsLocalUrl</c> (no <c>~/</c>, no white space at all).
    /// </summary>
    public static bool IsLocalUrl(string? url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > MaxReturnUrlLength || url[0] != '/' || (url.Length > 1 && url[1] == '/'))
        {
            return false;
        }

        foreach (var c in url)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c) || c == '\\' || char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                return false;
            }
        }

        return Uri.TryCreate(url, UriKind.Relative, out _);
    }

    /// <summary>Longer return URLs are refused too: nothing on this site needs one.</summary>
    public const int MaxReturnUrlLength = 2048;
}
