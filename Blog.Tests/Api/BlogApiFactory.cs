extern alias BlogApi;

using Blog.Api.Security;
using Blog.Api.Storage;
using Blog.Api.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Blog.Tests.Api;

/// <summary>
/// The API in memory (TestServer) on its own embedded LiteDB file, with a fixed strong signing key, a bootstrapped
/// Admin (<see cref="AdminUsername"/>/<see cref="AdminPassword"/>) and high rate limits (a test that wants a low one
/// uses <see cref="WithSettings"/>). Use it as a class fixture: <c>IClassFixture&lt;BlogApiFactory&gt;</c>.
/// <para>
/// Users of any role come from <see cref="CreateUserAsync"/>: stored directly, with a real token pair minted by the
/// API's own token service, so every request goes through real bearer validation (no authentication bypass).
/// </para>
/// </summary>
public class BlogApiFactory : WebApplicationFactory<BlogApi::Program>
{
    /// <summary>48 bytes: above the 32-byte minimum.</summary>
    public const string SigningKey = "blog-tests-signing-key-0123456789abcdefghijklmnop";
    public const string Issuer = "blog-api";
    public const string Audience = "blog";
    public const string AdminUsername = "root-admin";
    public const string AdminEmail = "root-admin@example.test";
    public const string AdminPassword = "Admin-Passw0rd!";

    /// <summary>The password of every user made by <see cref="CreateUserAsync"/>.</summary>
    public const string UserPassword = ApiDriver.DefaultPassword;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "blog-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Jwt:SigningKey"] = SigningKey,
        // Role changes and disables are seen on the very next request (production: up to 5 s).
        ["Jwt:UserStatusCacheDuration"] = "00:00:00",
        ["Admin:Username"] = AdminUsername,
        ["Admin:Email"] = AdminEmail,
        ["Admin:Password"] = AdminPassword,
        ["RateLimits:Auth:PermitLimit"] = "100000",
        ["RateLimits:Writes:PermitLimit"] = "100000",
        ["RateLimits:Refresh:PermitLimit"] = "100000",
        ["RateLimits:Reads:PermitLimit"] = "100000",
    };

    private string? _userPasswordHash;

    public BlogApiFactory()
    {
        Directory.CreateDirectory(_directory);
        _settings["Blog:Storage:EmbeddedPath"] = Path.Combine(_directory, "blog.db");
    }

    /// <summary>Overrides configuration (e.g. <c>RateLimits:Auth:PermitLimit</c>) before the app starts; returns this factory.</summary>
    public BlogApiFactory WithSettings(params (string Key, string? Value)[] settings)
    {
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }

        return this;
    }

    /// <summary>
    /// Sets the rate limit <paramref name="policy"/> (<c>Auth</c>, <c>Writes</c>, <c>Refresh</c> or <c>Reads</c>, the
    /// <c>RateLimits:{policy}</c> section) to <paramref name="permitLimit"/> per <paramref name="window"/>; returns this factory.
    /// </summary>
    public BlogApiFactory WithRateLimit(string policy, int permitLimit, TimeSpan window) => WithSettings(
        ($"RateLimits:{policy}:PermitLimit", permitLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ($"RateLimits:{policy}:Window", window.ToString("c", System.Globalization.CultureInfo.InvariantCulture)));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        // UseSetting, not ConfigureAppConfiguration: the storage choice is read while the app's builder runs.
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>
    /// A new enabled user with the given role (see <see cref="Roles"/>), password <see cref="UserPassword"/>, and a
    /// client that sends its real access token.
    /// </summary>
    public async Task<(HttpClient Client, UserResponse User)> CreateUserAsync(string role, string? username = null)
    {
        var (user, tokens) = await CreateUserWithTokensAsync(role, username);
        return (CreateClient(tokens.AccessToken), user);
    }

    /// <summary>A client for a new user with the given role.</summary>
    public async Task<HttpClient> CreateClientAsync(string role) => (await CreateUserAsync(role)).Client;

    /// <summary>A client that sends <paramref name="accessToken"/> as its bearer token (else as <see cref="WebApplicationFactory{T}.CreateClient()"/>).</summary>
    public HttpClient CreateClient(string accessToken) =>
        CreateDefaultClient(new RedirectHandler(), new CookieContainerHandler(), new BearerTokenHandler(accessToken));

    /// <summary>A client for <paramref name="caller"/>; <paramref name="owner"/> is the client of the item's author.</summary>
    public async Task<HttpClient> ClientForAsync(Caller caller, HttpClient? owner = null) => caller switch
    {
        Caller.Anonymous => CreateClient(),
        Caller.Reader => await CreateClientAsync(Roles.Reader),
        Caller.OwnAuthor => owner ?? throw new ArgumentNullException(nameof(owner), "An own Author needs the owner's client."),
        Caller.OtherAuthor => await CreateClientAsync(Roles.Author),
        Caller.Editor => await CreateClientAsync(Roles.Editor),
        Caller.Admin => await CreateClientAsync(Roles.Admin),
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    /// <summary>Like <see cref="CreateUserAsync"/>, with the token pair instead of a client.</summary>
    internal async Task<(UserResponse User, TokenPair Tokens)> CreateUserWithTokensAsync(string role, string? username = null)
    {
        username ??= $"u{Guid.NewGuid():N}"[..20];
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<IUserStore>();
        var user = new User
        {
            Id = Guid.NewGuid().ToString("N"),
            Username = username,
            NormalizedUsername = username.ToLowerInvariant(),
            Email = $"{username}@example.test",
            NormalizedEmail = $"{username}@example.test".ToLowerInvariant(),
            DisplayName = $"Test {username}",
            Role = Roles.Normalize(role) ?? throw new ArgumentException($"Not a role: {role}", nameof(role)),
            PasswordHash = "",
            CreatedAt = TimeProvider.System.GetUtcNowForStorage(),
        };
        // One PBKDF2 hash per factory keeps user creation cheap; the salt being shared does not matter here.
        _userPasswordHash ??= scope.ServiceProvider.GetRequiredService<IPasswordHasher<User>>().HashPassword(user, UserPassword);
        user.PasswordHash = _userPasswordHash;
        await users.CreateAsync(user);

        var tokens = await scope.ServiceProvider.GetRequiredService<TokenService>().IssueAsync(user, familyId: null);
        return (user.AsResponse(), tokens);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the OS temp cleaner gets it.
        }
    }
}
