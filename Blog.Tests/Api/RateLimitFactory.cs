using Microsoft.AspNetCore.Hosting;

namespace Blog.Tests.Api;

/// <summary>
/// An app whose sign-in limit is 3 per minute, where a request's peer address is whatever its <c>X-Test-Peer</c> header
/// says (the test server has none): so tests can come from the trusted loopback proxy or from elsewhere.
/// </summary>
public sealed class RateLimitFactory : BlogApiFactory
{
    public const string PeerHeader = PeerFromHeader.Header;

    /// <summary>The web's proof (<see cref="ProxyProof"/>) this app accepts.</summary>
    public const string ProxySecret = "rate-limit-tests-proxy-secret-0123456789abcdef";

    public RateLimitFactory() => WithRateLimit("Auth", 3, TimeSpan.FromMinutes(1)).WithSettings(("ForwardedHeaders:ProxySecret", ProxySecret));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, PeerFromHeader>());
    }
}
