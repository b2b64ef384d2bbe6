using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Blog.Web.Api;

/// <summary>
/// The typed client for Blog.Api (docs/api-contract.md). Public reads go without a token so that the API's
/// output cache can serve them; calls whose answer depends on the user are marked <see cref="AsUser"/> and get
/// the signed-in user's bearer token from <see cref="ApiHandlers.BearerTokenHandler"/>.
/// </summary>
public sealed class BlogApiClient(HttpClient http)
{
    /// <summary>Request option: add the signed-in user's access token.</summary>
    internal static readonly HttpRequestOptionsKey<bool> AsUser = new("Blog.AsUser");

    // ---- Posts and tags (public unless stated) ----

    public Task<ApiResult<PagedList<PostSummary>>> GetPostsAsync(PostListQuery query, bool asUser = false, CancellationToken ct = default) =>
        SendAsync<PagedList<PostSummary>>(HttpMethod.Get, "api/posts" + QueryString(
            ("page", query.Page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("pageSize", query.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("tag", query.Tag), ("author", query.Author), ("q", query.Q), ("status", query.Status)), null, asUser, ct: ct);

    public Task<ApiResult<PostResponse>> GetPostAsync(string slug, bool asUser = false, CancellationToken ct = default) =>
        SendAsync<PostResponse>(HttpMethod.Get, $"api/posts/{Uri.EscapeDataString(slug)}", null, asUser, ct: ct);

    public Task<ApiResult<IReadOnlyList<TagResponse>>> GetTagsAsync(CancellationToken ct = default) =>
        SendAsync<IReadOnlyList<TagResponse>>(HttpMethod.Get, "api/tags", null, false, ct: ct);

    public Task<ApiResult<PostResponse>> CreatePostAsync(CreatePostRequest request, CancellationToken ct = default) =>
        SendAsync<PostResponse>(HttpMethod.Post, "api/posts", request, true, ct: ct);

    public Task<ApiResult<PostResponse>> UpdatePostAsync(string slug, long version, UpdatePostRequest request, CancellationToken ct = default) =>
        SendAsync<PostResponse>(HttpMethod.Put, $"api/posts/{Uri.EscapeDataString(slug)}", request, true,
            r => r.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"")), ct);

    public Task<ApiResult<bool>> DeletePostAsync(string slug, CancellationToken ct = default) =>
        SendAsync<bool>(HttpMethod.Delete, $"api/posts/{Uri.EscapeDataString(slug)}", null, true, ct: ct);

    public Task<ApiResult<PostResponse>> PublishPostAsync(string slug, bool publish, CancellationToken ct = default) =>
        SendAsync<PostResponse>(HttpMethod.Post, $"api/posts/{Uri.EscapeDataString(slug)}/{(publish ? "publish" : "unpublish")}", null, true, ct: ct);

    // ---- Comments ----

    public Task<ApiResult<PagedList<CommentResponse>>> GetCommentsAsync(string slug, int page = 1, int pageSize = 100, bool asUser = false, CancellationToken ct = default) =>
        SendAsync<PagedList<CommentResponse>>(HttpMethod.Get, $"api/posts/{Uri.EscapeDataString(slug)}/comments" + QueryString(
            ("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("pageSize", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, asUser, ct: ct);

    public Task<ApiResult<CommentResponse>> AddCommentAsync(string slug, string body, CancellationToken ct = default) =>
        SendAsync<CommentResponse>(HttpMethod.Post, $"api/posts/{Uri.EscapeDataString(slug)}/comments", new CommentRequest(body), true, ct: ct);

    public Task<ApiResult<CommentResponse>> EditCommentAsync(string slug, string id, string body, CancellationToken ct = default) =>
        SendAsync<CommentResponse>(HttpMethod.Put, $"api/posts/{Uri.EscapeDataString(slug)}/comments/{Uri.EscapeDataString(id)}", new CommentRequest(body), true, ct: ct);

    public Task<ApiResult<bool>> DeleteCommentAsync(string slug, string id, CancellationToken ct = default) =>
        SendAsync<bool>(HttpMethod.Delete, $"api/posts/{Uri.EscapeDataString(slug)}/comments/{Uri.EscapeDataString(id)}", null, true, ct: ct);

    public Task<ApiResult<CommentResponse>> HideCommentAsync(string slug, string id, bool hide, CancellationToken ct = default) =>
        SendAsync<CommentResponse>(HttpMethod.Post, $"api/posts/{Uri.EscapeDataString(slug)}/comments/{Uri.EscapeDataString(id)}/{(hide ? "hide" : "unhide")}", null, true, ct: ct);

    // ---- Users ----

    public Task<ApiResult<ProfileResponse>> GetProfileAsync(string username, CancellationToken ct = default) =>
        SendAsync<ProfileResponse>(HttpMethod.Get, $"api/users/{Uri.EscapeDataString(username)}", null, false, ct: ct);

    public Task<ApiResult<UserResponse>> GetCurrentUserAsync(CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Get, "api/auth/me", null, true, ct: ct);

    public Task<ApiResult<UserResponse>> UpdateMeAsync(UpdateProfileRequest request, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Put, "api/users/me", request, true, ct: ct);

    public Task<ApiResult<bool>> ChangePasswordAsync(ChangePasswordRequest request, CancellationToken ct = default) =>
        SendAsync<bool>(HttpMethod.Put, "api/users/me/password", request, true, ct: ct);

    public Task<ApiResult<PagedList<PostSummary>>> GetMyPostsAsync(string? status, int page, int pageSize = 20, CancellationToken ct = default) =>
        SendAsync<PagedList<PostSummary>>(HttpMethod.Get, "api/users/me/posts" + QueryString(
            ("status", status),
            ("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("pageSize", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, true, ct: ct);

    public Task<ApiResult<PagedList<UserResponse>>> GetUsersAsync(string? q, int page, int pageSize = 20, CancellationToken ct = default) =>
        SendAsync<PagedList<UserResponse>>(HttpMethod.Get, "api/users" + QueryString(
            ("q", q),
            ("page", page.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("pageSize", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture))), null, true, ct: ct);

    public Task<ApiResult<UserResponse>> SetRoleAsync(string username, string role, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Put, $"api/users/{Uri.EscapeDataString(username)}/role", new ChangeRoleRequest(role), true, ct: ct);

    public Task<ApiResult<UserResponse>> SetDisabledAsync(string username, bool disabled, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Post, $"api/users/{Uri.EscapeDataString(username)}/{(disabled ? "disable" : "enable")}", null, true, ct: ct);

    // ---- Auth (tokens passed explicitly: these run while the cookie is being issued or validated) ----

    public Task<ApiResult<AuthResponse>> RegisterAsync(RegisterRequest request, CancellationToken ct = default) =>
        SendAsync<AuthResponse>(HttpMethod.Post, "api/auth/register", request, false, ct: ct);

    public Task<ApiResult<AuthResponse>> LoginAsync(LoginRequest request, CancellationToken ct = default) =>
        SendAsync<AuthResponse>(HttpMethod.Post, "api/auth/login", request, false, ct: ct);

    public Task<ApiResult<AuthResponse>> RefreshAsync(string refreshToken, CancellationToken ct = default) =>
        SendAsync<AuthResponse>(HttpMethod.Post, "api/auth/refresh", new RefreshRequest(refreshToken), false, ct: ct);

    public Task<ApiResult<bool>> LogoutAsync(string refreshToken, CancellationToken ct = default) =>
        SendAsync<bool>(HttpMethod.Post, "api/auth/logout", new RefreshRequest(refreshToken), false, ct: ct);

    public Task<ApiResult<UserResponse>> GetMeAsync(string accessToken, CancellationToken ct = default) =>
        SendAsync<UserResponse>(HttpMethod.Get, "api/auth/me", null, false,
            r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken), ct);

    // ---- Plumbing ----

    private async Task<ApiResult<T>> SendAsync<T>(
        HttpMethod method, string uri, object? body, bool asUser, Action<HttpRequestMessage>? configure = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType());
        }

        request.Options.Set(AsUser, asUser);
        configure?.Invoke(request);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                   || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new ApiUnavailableException($"The blog API did not answer {method} {uri}.", ex);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                throw new ApiUnavailableException($"The blog API answered {(int)response.StatusCode} to {method} {uri}.");
            }

            if (!response.IsSuccessStatusCode)
            {
                return new ApiResult<T>(default, await ApiProblem.ReadAsync(response, ct));
            }

            if (typeof(T) == typeof(bool))
            {
                return new ApiResult<T>((T)(object)true, null);
            }

            var value = await response.Content.ReadFromJsonAsync<T>(ct)
                ?? throw new ApiUnavailableException($"The blog API answered {method} {uri} with an empty body.");
            return new ApiResult<T>(value, null);
        }
    }

    internal static string QueryString(params (string Key, string? Value)[] pairs)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            sb.Append(sb.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }

        return sb.ToString();
    }
}
