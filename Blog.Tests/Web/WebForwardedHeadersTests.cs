extern alias BlogWeb;


namespace Blog.Tests.Web;

public sealed class WebForwardedHeadersTests(IngressWebFactory ingress, DirectlyPublishedWebFactory direct)
    : IClassFixture<IngressWebFactory>, IClassFixture<DirectlyPublishedWebFactory>
{
    private const string Hsts = "Strict-Transport-Security";

    [Fact]
    public async Task BehindTheIngressTheWebSendsHstsAndRedirectsToHttps()
    {
        var alive = await ingress.GetAsync("/alive", peer: "10.42.3.7");
        var account = await ingress.GetAsync("/account", peer: "10.42.3.7");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.True(alive.Headers.Contains(Hsts), "HSTS is sent on requests the ingress received over https");
        Assert.Equal(HttpStatusCode.Redirect, account.StatusCode);
        Assert.StartsWith("https://blog.example/account/signin", account.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.51.100.20")] // a client outside the ingress range
    [InlineData("127.0.0.1")] // loopback is not trusted either
    public async Task ADirectClientsForwardedHeadersAreIgnored(string peer)
    {
        var alive = await ingress.GetAsync("/alive", peer);
        var account = await ingress.GetAsync("/account", peer);

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.False(alive.Headers.Contains(Hsts));
        Assert.StartsWith("http://blog.example/account/signin", account.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithNoTrustedProxyNoCallerCanClaimHttps()
    {
        var alive = await direct.GetAsync("/alive", peer: "10.42.3.7");
        var account = await direct.GetAsync("/account", peer: "127.0.0.1");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.False(alive.Headers.Contains(Hsts));
        Assert.StartsWith("http://blog.example/account/signin", account.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
