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
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
        && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
