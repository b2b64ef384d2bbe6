extern alias BlogWeb;

using System.Text.RegularExpressions;
using Blog.Tests.Api;
using Blog.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;

namespace Blog.Tests.Web;

/// <summary>
/// The web in memory (TestServer), talking to the API in memory (<see cref="Api"/>, a <see cref="BlogApiFactory"/>
/// with its own LiteDB file): the real cookie authentication, antiforgery, token refresh and API calls, no browser.
/// Use it as a class fixture; a test that needs other API settings makes its own with <see cref="WithApiSettings"/>.
/// </summary>
public sealed partial class BlogWebFactory : WebApplicationFactory<BlogWeb::Program>
{
    private readonly string _keys = Path.Combine(Path.GetTempPath(), "blog-tests", "web-keys-" + Guid.NewGuid().ToString("N"));

    public BlogApiFactory Api { get; } = new();

    /// <summary>Overrides API configuration before either app starts; returns this factory.</summary>
    public BlogWebFactory WithApiSettings(params (string Key, string? Value)[] settings)
    {
        Api.WithSettings(settings);
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Blog:Api:BaseAddress", "http://api.test");
        builder.UseSetting("Blog:DataProtection:KeysPath", _keys);
        builder.ConfigureTestServices(services =>
            services.AddHttpClient<BlogApiClient>().ConfigurePrimaryHttpMessageHandler(() => Api.Server.CreateHandler()));
    }

    /// <summary>A client with the cookie jar <paramref name="cookies"/> (a new one unless given), not following redirects.</summary>
    public HttpClient CreateBrowser(CookieContainer? cookies = null) =>
        CreateDefaultClient(new Uri("http://localhost"), new CookieContainerHandler(cookies ?? new CookieContainer()));

    /// <summary>A copy of a cookie jar: a second tab that still holds the cookies of this moment.</summary>
    public static CookieContainer Copy(CookieContainer cookies)
    {
        var copy = new CookieContainer();
        foreach (Cookie cookie in cookies.GetAllCookies())
        {
            copy.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        return copy;
    }

    /// <summary>Signs in through the real sign-in form (antiforgery token and all) and asserts the redirect.</summary>
    public static async Task SignInAsync(HttpClient browser, string login, string password)
    {
        var token = await AntiforgeryTokenAsync(browser, "/account/signin");
        var response = await browser.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = token,
            ["Input.Login"] = login,
            ["Input.Password"] = password,
        }), TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther,
            $"Sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    /// <summary>The antiforgery token of the first form on the page.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient browser, string path)
    {
        var html = await browser.GetStringAsync(path, TestContext.Current.CancellationToken);
        var match = AntiforgeryInput().Match(html);
        Assert.True(match.Success, $"No antiforgery token on {path}.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Whether the page shows someone signed in (the header's sign-out form).</summary>
    public static async Task<bool> ShowsSignedInAsync(HttpClient browser, string path = "/")
    {
        var html = await browser.GetStringAsync(path, TestContext.Current.CancellationToken);
        return html.Contains("action=\"account/signout\"", StringComparison.Ordinal);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Api.DisposeAsync();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(_keys, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}
