using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;

namespace Blog.Web.Api;

internal static class ApiHandlers
{
    /// <summary>
    /// Sends the reader's IP as <c>X-Forwarded-For</c> on every API call, so the API's per-client rate limits
    /// count people rather than this web server, with the proof that the web sent it (<see cref="ProxyProof"/>,
    /// <c>Blog:Api:ProxySecret</c>): the API believes the header from no one else. Without a secret configured the
    /// header is not sent at all (the API would ignore it).
    /// </summary>
    public sealed class ForwardedForHandler(IHttpContextAccessor accessor, IConfiguration configuration) : DelegatingHandler
    {
        public const string SecretKey = "Blog:Api:ProxySecret";

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var ip = accessor.HttpContext?.Connection.RemoteIpAddress;
            var secret = configuration[SecretKey];
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.Remove(ProxyProof.HeaderName);
            if (ip is not null && !string.IsNullOrEmpty(secret))
            {
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString());
                request.Headers.TryAddWithoutValidation(ProxyProof.HeaderName, secret);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// Adds the signed-in user's access token, kept in the encrypted auth cookie, to calls marked
    /// <see cref="BlogApiClient.AsUser"/>. Public reads go anonymous so that the API's output cache serves them.
    /// </summary>
    public sealed class BearerTokenHandler(IHttpContextAccessor accessor) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null
                && request.Options.TryGetValue(BlogApiClient.AsUser, out var asUser) && asUser
                && accessor.HttpContext is { } httpContext
                && httpContext.User.Identity?.IsAuthenticated == true)
            {
                var token = await httpContext.GetTokenAsync(AuthTokens.AccessToken);
                if (!string.IsNullOrEmpty(token))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>Names of the API tokens stored in the auth cookie's <see cref="AuthenticationProperties"/>.</summary>
internal static class AuthTokens
{
    public const string AccessToken = "access_token";
    public const string RefreshToken = "refresh_token";
    public const string ExpiresAt = "expires_at";
}
