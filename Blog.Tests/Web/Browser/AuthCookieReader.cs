using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Playwright;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// Opens a browser's auth cookie with the web's own Data Protection keys (<paramref name="keysDirectory"/>, encrypted
/// with <paramref name="keysCertificate"/>), so a scenario can check what the web keeps in it against the API.
/// </summary>
public sealed class AuthCookieReader(string keysDirectory, string keysCertificate)
{
    public const string AuthCookieName = ".Blog.Auth";

    /// <summary>What the web keeps in a browser's auth cookie (decrypted with the web's keys), or null when the browser has none.</summary>
    public async Task<AuthenticationTicket?> ReadAsync(IBrowserContext context)
    {
        var cookies = (await context.CookiesAsync()).ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        if (!cookies.TryGetValue(AuthCookieName, out var value))
        {
            return null;
        }

        // Large cookies are split by ASP.NET Core's chunking cookie manager: "chunks-N", then NameC1..NameCN.
        if (value.StartsWith("chunks-", StringComparison.Ordinal))
        {
            var count = int.Parse(value["chunks-".Length..], CultureInfo.InvariantCulture);
            value = string.Concat(Enumerable.Range(1, count).Select(i => cookies[$"{AuthCookieName}C{i}"]));
        }

        using var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(keysCertificate), password: null);
        var provider = DataProtectionProvider.Create(new DirectoryInfo(keysDirectory),
            b => b.SetApplicationName("Blog.Web").ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate));
        var protector = provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", "Cookies", "v2");
        return new TicketDataFormat(protector).Unprotect(value);
    }
}
