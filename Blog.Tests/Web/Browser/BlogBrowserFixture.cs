using System.Net.Http.Headers;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Blog.Tests.AppHost;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Playwright;

namespace Blog.Tests.Web;

/// <summary>
/// One real AppHost (embedded database, memory cache) and one headless Debian chromium shared by every browser
/// scenario. Without /usr/bin/chromium nothing starts and each scenario skips with the reason.
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
    private int _counter;
    private string _webKeysDirectory = "";

    // The web encrypts its key ring with this certificate (its dataprotection-certificate parameter); the fixture needs
    // it to read the auth cookie.
    private readonly string _webKeysCertificate = new Blog.AppHost.Infrastructure.CertificateParameterDefault("Blog browser tests").GetDefaultValue();

    public IBrowser Browser { get; private set; } = default!;

    public Uri WebUrl { get; private set; } = default!;

    public HttpClient Api { get; private set; } = default!;

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
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Blog_AppHost>(
            AppHostArgs.Create("embedded", "memory", dataDirectory, $"--Parameters:dataprotection-certificate={_webKeysCertificate}"), ct);

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
        _webKeysDirectory = Path.Combine(dataDirectory, "web-keys");
        var web = (ProjectResource)builder.Resources.Single(r => r.Name == "web");
        builder.CreateResourceBuilder(web).WithEnvironment("Blog__DataProtection__KeysPath", _webKeysDirectory);

        _app = await builder.BuildAsync(ct).WaitAsync(s_startTimeout, ct);
        await _app.StartAsync(ct).WaitAsync(s_startTimeout, ct);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", ct).WaitAsync(s_startTimeout, ct);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", ct).WaitAsync(s_startTimeout, ct);

        WebUrl = _app.GetEndpoint("web", "http");
        Api = _app.CreateHttpClient("api", "http");
        Api.Timeout = TimeSpan.FromSeconds(30);

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
        Api?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    public void SkipIfUnavailable() => Assert.SkipWhen(SkipReason is not null, SkipReason ?? "");

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
        return new BrowserSession(context, page, this);
    }

    /// <summary>A unique, valid username for this run.</summary>
    public string NewUsername(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}{Guid.NewGuid().ToString("N")[..6]}";

    // ---- Setup through the API (what the scenario is not about) ----

    public async Task<string> SignInApiAsync(string login, string password)
    {
        var response = await Api.PostAsJsonAsync("/api/auth/login", new { login, password }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var auth = await response.Content.ReadFromJsonAsync<TokenBody>(TestContext.Current.CancellationToken);
        return auth!.AccessToken;
    }

    public Task<string> AdminTokenAsync() => SignInApiAsync(AppHostArgs.AdminUsername, AppHostArgs.AdminPassword);

    /// <summary>Registers a user and gives it <paramref name="role"/> (as the Admin). Returns the username.</summary>
    public async Task<string> CreateUserAsync(string prefix, string role, string password)
    {
        var ct = TestContext.Current.CancellationToken;
        var username = NewUsername(prefix);
        var registered = await Api.PostAsJsonAsync("/api/auth/register",
            new { username, email = $"{username}@blog.test", password, displayName = $"{char.ToUpperInvariant(prefix[0])}{prefix[1..]} {username[^6..]}" }, ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        if (role != "Reader")
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/users/{username}/role") { Content = JsonContent.Create(new { role }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
            var changed = await Api.SendAsync(request, ct);
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        return username;
    }

    /// <summary>Creates a post as the given user; returns its slug.</summary>
    public async Task<string> CreatePostAsync(string token, string title, string body, string[] tags, bool publish = true, string summary = "A post made for a browser test.")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/posts")
        {
            Content = JsonContent.Create(new { title, summary, body, tags, publish }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Api.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var post = await response.Content.ReadFromJsonAsync<PostBody>(TestContext.Current.CancellationToken);
        return post!.Slug;
    }

    /// <summary>Adds a comment as the given user; returns its id.</summary>
    public async Task<string> AddCommentAsync(string token, string slug, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/posts/{slug}/comments") { Content = JsonContent.Create(new { body }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Api.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var comment = await response.Content.ReadFromJsonAsync<CommentBody>(TestContext.Current.CancellationToken);
        return comment!.Id;
    }

    public async Task UpdateProfileAsync(string token, string displayName, string? bio)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/users/me") { Content = JsonContent.Create(new { displayName, bio }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Api.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Spends a refresh token at the API: the status it answers (200 while the sign-in is alive, 401 once revoked).</summary>
    public async Task<HttpStatusCode> RefreshStatusAsync(string refreshToken)
    {
        var response = await Api.PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    /// <summary>
    /// What the web keeps in a browser's auth cookie (decrypted with the web's keys), or null when the browser has none.
    /// </summary>
    public async Task<AuthenticationTicket?> ReadAuthCookieAsync(IBrowserContext context)
    {
        var cookies = (await context.CookiesAsync()).ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
        if (!cookies.TryGetValue(AuthCookieName, out var value))
        {
            return null;
        }

        // Large cookies are split by ASP.NET Core's chunking cookie manager: "chunks-N", then NameC1..NameCN.
        if (value.StartsWith("chunks-", StringComparison.Ordinal))
        {
            var count = int.Parse(value["chunks-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            value = string.Concat(Enumerable.Range(1, count).Select(i => cookies[$"{AuthCookieName}C{i}"]));
        }

        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            Convert.FromBase64String(_webKeysCertificate), password: null);
        var provider = DataProtectionProvider.Create(new DirectoryInfo(_webKeysDirectory),
            b => b.SetApplicationName("Blog.Web").ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate));
        var protector = provider.CreateProtector("Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", "Cookies", "v2");
        return new TicketDataFormat(protector).Unprotect(value);
    }

    public const string AuthCookieName = ".Blog.Auth";

    private sealed record TokenBody(string AccessToken);

    private sealed record CommentBody(string Id);

    internal sealed record PostBody(string Slug, long Version, string Title);
}

/// <summary>One browser context and page, with what went wrong on the page collected for assertions.</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page, BlogBrowserFixture fixture) : IAsyncDisposable
{
    private readonly List<string> _consoleErrors = Track(page);
    private readonly List<string> _dialogs = TrackDialogs(page);

    public IPage Page { get; } = page;

    public IBrowserContext Context { get; } = context;

    /// <summary>Console errors, including Content-Security-Policy violations and failed scripts.</summary>
    public IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    /// <summary>alert/confirm/prompt dialogs the page opened (each is dismissed).</summary>
    public IReadOnlyList<string> Dialogs => _dialogs;

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(fixture.ScreenshotDirectory, $"{name}.png");
        // A full-page shot of a scrolled page draws the sticky header over the middle of it.
        await Page.EvaluateAsync("window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async Task SignInAsync(string login, string password)
    {
        await Page.GotoAsync("/account/signin");
        await Page.Locator("#login").FillAsync(login);
        await Page.Locator("#password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();

    private static List<string> Track(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return errors;
    }

    private static List<string> TrackDialogs(IPage page)
    {
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add($"{dialog.Type}: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
        return dialogs;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BlogBrowserFixture>
{
    /// <summary>Browser scenarios share one AppHost and one chromium, and run alone (2 cores).</summary>
    public const string Name = "Browser";
}
