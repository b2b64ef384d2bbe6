using System.Text;
using Blog.Api.Auth;
using Blog.Api.Comments;
using Blog.Api.Posts;

namespace Blog.Tests.Harness;

/// <summary>
/// What a test does through the API, on any <see cref="HttpClient"/> of it: the in-memory API of
/// <c>BlogApiFactory</c> or a real one (the browser tests' AppHost). Who calls is the client's
/// <see cref="BearerTokenHandler"/> (none: anonymous).
/// </summary>
internal static class ApiDriver
{
    /// <summary>The password <see cref="RegisterAsync"/> gives unless told otherwise.</summary>
    public const string DefaultPassword = "User-Passw0rd!";

    public static string NewUsername() => $"t{Guid.NewGuid():N}"[..16];

    public static string NewTitle(string prefix = "Post") => $"{prefix} {Guid.NewGuid():N}";

    public static Task<HttpResponseMessage> FetchAsync(this HttpClient client, string path) => client.GetAsync(path, Ct);

    public static Task<HttpResponseMessage> PostEmptyAsync(this HttpClient client, string path) => client.PostAsync(path, null, Ct);

    public static Task<HttpResponseMessage> RemoveAsync(this HttpClient client, string path) => client.DeleteAsync(path, Ct);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object body) =>
        client.PutAsJsonAsync(path, body, Ct);

    /// <summary>POSTs raw text as application/json (for malformed or hand-written bodies).</summary>
    public static Task<HttpResponseMessage> PostRawJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string login, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { login, password }, Ct);

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, Ct);

    /// <summary>Signs in and asserts 200; returns the token pair.</summary>
    public static async Task<AuthResponse> SignInAsync(this HttpClient client, string login, string password)
    {
        var response = await client.LoginAsync(login, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<AuthResponse>();
    }

    /// <summary>Registers a new Reader (a fresh username and <c>{username}@example.test</c> unless given) and asserts 201.</summary>
    public static async Task<AuthResponse> RegisterAsync(
        this HttpClient client, string? username = null, string password = DefaultPassword, string? displayName = null, string? email = null)
    {
        username ??= NewUsername();
        var response = await client.PostAsJsonAsync(
            "/api/auth/register", new { username, email = email ?? $"{username}@example.test", password, displayName }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync<AuthResponse>();
    }

    /// <summary>Sets a user's role (the client must be an Admin's) and asserts 200.</summary>
    public static async Task SetRoleAsync(this HttpClient client, string username, string role)
    {
        var response = await client.PutJsonAsync($"/api/users/{username}/role", new { role });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Changes the caller's profile and asserts 200.</summary>
    public static async Task UpdateProfileAsync(this HttpClient client, string displayName, string? bio)
    {
        var response = await client.PutJsonAsync("/api/users/me", new { displayName, bio });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<PostResponse> CreatePostAsync(
        this HttpClient client, string? title = null, bool publish = true, string[]? tags = null, string body = "Some **Markdown** body.",
        string summary = "A summary.")
    {
        var response = await client.PostAsJsonAsync("/api/posts",
            new { title = title ?? NewTitle(), summary, body, tags = tags ?? ["testing"], publish }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync<PostResponse>();
    }

    public static async Task<CommentResponse> CreateCommentAsync(this HttpClient client, string slug, string body = "Nice post.")
    {
        var response = await client.PostAsJsonAsync($"/api/posts/{slug}/comments", new { body }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync<CommentResponse>();
    }

    public static Task<HttpResponseMessage> PutPostAsync(this HttpClient client, string slug, string? ifMatch, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/posts/{slug}") { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request, Ct);
    }
}
