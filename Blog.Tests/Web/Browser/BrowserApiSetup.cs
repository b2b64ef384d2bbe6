using Blog.Tests.AppHost;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// What a scenario is not about, done through the real API with the <see cref="ApiDriver"/>: users, posts, comments,
/// profiles. Calls as someone go through a client signed in with <see cref="As"/>.
/// </summary>
public sealed class BrowserApiSetup(Uri apiUrl) : IDisposable
{
    /// <summary>The password scenarios give the users they make.</summary>
    public const string Password = "Str0ng-Passw0rd-42";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private int _counter;

    /// <summary>An anonymous client of the API.</summary>
    public HttpClient Api { get; } = new() { BaseAddress = apiUrl, Timeout = s_timeout };

    /// <summary>A client of the API signed in with <paramref name="accessToken"/>; dispose it after use.</summary>
    public HttpClient As(string accessToken) => BearerTokenHandler.CreateClient(apiUrl, accessToken, s_timeout);

    /// <summary>A unique, valid username for this run.</summary>
    public string NewUsername(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}{Guid.NewGuid().ToString("N")[..6]}";

    public async Task<string> SignInApiAsync(string login, string password) => (await Api.SignInAsync(login, password)).AccessToken;

    public Task<string> AdminTokenAsync() => SignInApiAsync(AppHostArgs.AdminUsername, AppHostArgs.AdminPassword);

    /// <summary>Registers a user (email <c>{username}@blog.test</c>) and gives it <paramref name="role"/> (as the Admin). Returns the username.</summary>
    public async Task<string> CreateUserAsync(string prefix, string role, string password)
    {
        var username = NewUsername(prefix);
        await Api.RegisterAsync(username, password, $"{char.ToUpperInvariant(prefix[0])}{prefix[1..]} {username[^6..]}", $"{username}@blog.test");
        if (role != "Reader")
        {
            using var admin = As(await AdminTokenAsync());
            await admin.SetRoleAsync(username, role);
        }

        return username;
    }

    /// <summary>Creates a post as the given user; returns its slug.</summary>
    public async Task<string> CreatePostAsync(string token, string title, string body, string[] tags, bool publish = true, string summary = "A post made for a browser test.")
    {
        using var author = As(token);
        return (await author.CreatePostAsync(title, publish, tags, body, summary)).Slug;
    }

    /// <summary>Adds a comment as the given user; returns its id.</summary>
    public async Task<string> AddCommentAsync(string token, string slug, string body)
    {
        using var commenter = As(token);
        return (await commenter.CreateCommentAsync(slug, body)).Id;
    }

    public async Task UpdateProfileAsync(string token, string displayName, string? bio)
    {
        using var user = As(token);
        await user.UpdateProfileAsync(displayName, bio);
    }

    /// <summary>Spends a refresh token at the API: the status it answers (200 while the sign-in is alive, 401 once revoked).</summary>
    public async Task<HttpStatusCode> RefreshStatusAsync(string refreshToken) => (await Api.RefreshAsync(refreshToken)).StatusCode;

    public void Dispose() => Api.Dispose();
}
