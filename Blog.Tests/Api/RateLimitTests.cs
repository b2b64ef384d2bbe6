
namespace Blog.Tests.Api;

public sealed class RateLimitTests(RateLimitFactory factory) : IClassFixture<RateLimitFactory>
{
    [Fact]
    public async Task SignInsOverTheLimitGet429WithRetryAfterAndProblemDetails()
    {
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            responses.Add(await SendLoginAsync(peer: "198.51.100.10"));
        }

        Assert.All(responses.Take(3), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        var limited = responses[3];
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 60);
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", (await limited.ReadProblemAsync()).Type);
    }

    [Fact]
    public async Task RegistrationSharesTheSignInLimit()
    {
        for (var i = 0; i < 3; i++)
        {
            await SendLoginAsync(peer: "198.51.100.11");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register")
        {
            Content = JsonContent.Create(new { username = ApiDriver.NewUsername(), email = $"{Guid.NewGuid():N}@example.test", password = "correct horse" }),
        };
        request.Headers.Add(RateLimitFactory.PeerHeader, "198.51.100.11");
        var response = await factory.CreateClient().SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
    }

    [Fact]
    public async Task BehindTheProvenWebOnAnotherHostEachForwardedClientHasItsOwnLimit()
    {
        // The web reaches the API over a container network: its address is not loopback and not known in advance.
        for (var i = 0; i < 4; i++)
        {
            await SendLoginAsync(peer: "172.18.0.5", forwardedFor: "203.0.113.1", proof: RateLimitFactory.ProxySecret);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendLoginAsync(peer: "172.18.0.5", forwardedFor: "203.0.113.1", proof: RateLimitFactory.ProxySecret)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendLoginAsync(peer: "172.18.0.5", forwardedFor: "203.0.113.2", proof: RateLimitFactory.ProxySecret)).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1", null)]
    [InlineData("172.18.0.6", null)]
    [InlineData("172.18.0.7", "rate-limit-tests-proxy-secret-0123456789abcdeX")]
    public async Task WithoutTheWebsProofXForwardedForIsIgnoredEvenFromLoopback(string peer, string? proof)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await SendLoginAsync(peer, forwardedFor: $"203.0.113.{50 + i}", proof)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task AnUntrustedPeerCannotEscapeTheLimitWithXForwardedFor()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await SendLoginAsync(peer: "198.51.100.12", forwardedFor: $"203.0.113.{100 + i}")).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task ReadingIsNotLimitedBySignInAttempts()
    {
        for (var i = 0; i < 4; i++)
        {
            await SendLoginAsync(peer: "198.51.100.13");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/users/{BlogApiFactory.AdminUsername}");
        request.Headers.Add(RateLimitFactory.PeerHeader, "198.51.100.13");
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().SendAsync(request, Ct)).StatusCode);
    }

    private async Task<HttpResponseMessage> SendLoginAsync(string peer, string? forwardedFor = null, string? proof = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { login = "nobody", password = "wrong password" }),
        };
        request.Headers.Add(RateLimitFactory.PeerHeader, peer);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (proof is not null)
        {
            request.Headers.Add(ProxyProof.HeaderName, proof);
        }

        return await factory.CreateClient().SendAsync(request, Ct);
    }
}
