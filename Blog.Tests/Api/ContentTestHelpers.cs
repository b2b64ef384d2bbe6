using System.Net.Http.Headers;
using Blog.Api;
using Blog.Api.Comments;
using Blog.Api.Posts;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>Who calls, in the access matrix of issue 3. An "own" Author wrote the post; the "other" one did not.</summary>
public enum Caller
{
    Anonymous,
    Reader,
    OwnAuthor,
    OtherAuthor,
    Editor,
    Admin,
}

/// <summary>Posts and comments made through the API, and clients for each <see cref="Caller"/>.</summary>
internal static class ContentTestHelpers
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string NewTitle(string prefix = "Post") => $"{prefix} {Guid.NewGuid():N}";

    public static async Task<PostResponse> CreatePostAsync(
        this HttpClient client, string? title = null, bool publish = true, string[]? tags = null, string body = "Some **Markdown** body.")
    {
        var response = await client.PostAsJsonAsync("/api/posts",
            new { title = title ?? NewTitle(), summary = "A summary.", body, tags = tags ?? ["testing"], publish }, Ct);
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

    public static Task<HttpResponseMessage> FetchAsync(this HttpClient client, string path) => client.GetAsync(path, Ct);

    public static Task<HttpResponseMessage> PostEmptyAsync(this HttpClient client, string path) => client.PostAsync(path, null, Ct);

    public static Task<HttpResponseMessage> RemoveAsync(this HttpClient client, string path) => client.DeleteAsync(path, Ct);

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, object body) =>
        client.PutAsJsonAsync(path, body, Ct);

    /// <summary>True when the output cache answered: only a cached response carries <c>Age</c>.</summary>
    public static bool IsFromCache(this HttpResponseMessage response) => response.Headers.Age is not null;

    public static async Task<PageResponse<T>> ReadPageAsync<T>(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<PageResponse<T>>();
    }

    /// <summary>A client for <paramref name="caller"/>; <paramref name="owner"/> is the client of the post's author.</summary>
    public static async Task<HttpClient> ClientForAsync(this BlogApiFactory factory, Caller caller, HttpClient owner) => caller switch
    {
        Caller.Anonymous => factory.CreateClient(),
        Caller.Reader => await factory.CreateClientAsync(Roles.Reader),
        Caller.OwnAuthor => owner,
        Caller.OtherAuthor => await factory.CreateClientAsync(Roles.Author),
        Caller.Editor => await factory.CreateClientAsync(Roles.Editor),
        Caller.Admin => await factory.CreateClientAsync(Roles.Admin),
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };

    public static string ETagOf(this HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("No ETag header.");

    public static bool IsPrivate(this HttpResponseMessage response) =>
        response.Headers.CacheControl is { Private: true } or { NoStore: true };

    public static AuthenticationHeaderValue? Bearer(this HttpClient client) => client.DefaultRequestHeaders.Authorization;
}
