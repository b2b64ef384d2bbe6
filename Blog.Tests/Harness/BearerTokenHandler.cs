using System.Net.Http.Headers;

namespace Blog.Tests.Harness;

/// <summary>
/// Signs every request of a client in with one access token: the only way the tests call the API as someone, so the
/// token is never set by hand on a request or on a client's default headers.
/// </summary>
public sealed class BearerTokenHandler(string accessToken) : DelegatingHandler
{
    /// <summary>A client of the API at <paramref name="baseAddress"/> (a real server, not a test server) signed in as the token's user.</summary>
    public static HttpClient CreateClient(Uri baseAddress, string accessToken, TimeSpan timeout) =>
        new(new BearerTokenHandler(accessToken) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = baseAddress, Timeout = timeout };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return base.SendAsync(request, cancellationToken);
    }
}
