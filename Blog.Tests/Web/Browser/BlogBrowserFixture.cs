using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Blog.Tests.AppHost;
using Microsoft.Playwright;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// One real AppHost (embedded database, memory cache) and one headless Debian chromium shared by every browser
/// scenario. Without /usr/bin/chromium nothing starts and each scenario skips with the reason. Its parts:
/// <see cref="BrowserSession"/> (one browser's page), <see cref="Setup"/> (the API calls a scenario is not about) and
/// <see cref="AuthCookies"/> (what the web keeps in a browser's cookie).
/// </summary>
public sealed class BlogBrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium by default; <c>BLOG_CHROMIUM_PATH</c> names another Chromium or Chrome (e.g. on a GitHub runner).</summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("BLOG_CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(4);
    private static readonly string[] s_chromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private DistributedApplication? _app;
    private IPlaywright? _playwright;

    // The web encrypts its key ring with this certificate (its dataprotection-certificate parameter); the fixture needs
    // it to read the auth cookie.
    private readonly string _webKeysCertificate = new Blog.AppHost.Infrastructure.CertificateParameterDefault("Blog browser tests").GetDefaultValue();

    public IBrowser Browser { get; private set; } = default!;

    public Uri WebUrl { get; private set; } = default!;

    public BrowserApiSetup Setup { get; private set; } = default!;

    public AuthCookieReader AuthCookies { get; private set; } = default!;

    public string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public string? SkipReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            SkipReason = $"chromium not found at {ChromiumPath}: install Debian's chromium (scripts/provision.sh chromium)";
            return;
        }

        var ct = TestContext.Current.CancellationToken;
        var dataDirectory = Directory.CreateTempSubdirectory("blog-web-e2e-").FullName;
        var builder = await AppHostArgs.CreateModelBuilderAsync(
            "embedded", "memory", dataDirectory, $"--Parameters:dataprotection-certificate={_webKeysCertificate}");

        // Every browser and every setup call comes from 127.0.0.1: lift the per-IP limits for this run, and make the
        // access token short-lived so the web's refresh in OnValidatePrincipal runs many times during the scenarios.
        var api = (ProjectResource)builder.Resources.Single(r => r.Name == "api");
        builder.CreateResourceBuilder(api)
            .WithEnvironment("RateLimits__Auth__PermitLimit", "10000")
            .WithEnvironment("RateLimits__Writes__PermitLimit", "10000")
            .WithEnvironment("RateLimits__Refresh__PermitLimit", "10000")
            .WithEnvironment("RateLimits__Reads__PermitLimit", "10000")
            .WithEnvironment("Jwt__AccessTokenLifetime", "00:01:15");

        // The web's Data Protection keys in a directory of this run, so that a scenario can open the auth cookie and
        // check what the web keeps in it (the API's refresh token) against the API.
        var webKeysDirectory = Path.Combine(dataDirectory, "web-keys");
        var web = (ProjectResource)builder.Resources.Single(r => r.Name == "web");
        builder.CreateResourceBuilder(web).WithEnvironment("Blog__DataProtection__KeysPath", webKeysDirectory);
        AuthCookies = new AuthCookieReader(webKeysDirectory, _webKeysCertificate);

        _app = await builder.BuildAsync(ct).WaitAsync(s_startTimeout, ct);
        await _app.StartAsync(ct).WaitAsync(s_startTimeout, ct);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", ct).WaitAsync(s_startTimeout, ct);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", ct).WaitAsync(s_startTimeout, ct);

        WebUrl = _app.GetEndpoint("web", "http");
        Setup = new BrowserApiSetup(_app.GetEndpoint("api", "http"));

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = s_chromiumArgs,
            Timeout = 60_000,
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Setup?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    public void SkipIfUnavailable() => TestEnvironment.SkipIfMissing(SkipReason);

    /// <summary>A fresh browser (own cookies) at <paramref name="width"/> px, with bounded waits and page problems recorded.</summary>
    public async Task<BrowserSession> NewSessionAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = WebUrl.ToString(),
            ViewportSize = new() { Width = width, Height = height },
            Locale = "en-US",
        });
        context.SetDefaultTimeout(20_000);
        context.SetDefaultNavigationTimeout(30_000);
        var page = await context.NewPageAsync();
        return new BrowserSession(context, page, ScreenshotDirectory);
    }
}
