using Blog.Web.Api;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Blog.Tests.Web;

/// <summary>What the web's <c>/health</c> (the AppHost's and the deployments' readiness check of <c>web</c>) says when Redis is down.</summary>
public sealed class WebHealthTests
{
    [Fact]
    public async Task RedisDownMakesTheWebUnhealthyNotDegraded()
    {
        // Nothing listens on port 1: the Redis client never connects (AbortOnConnectFail=false, so the start goes on).
        await using var factory = new WebApplicationFactory<BlogApiClient>().WithWebHostBuilder(web => web
            .UseSetting("ConnectionStrings:cache", "127.0.0.1:1,connectTimeout=200")
            // With Redis the web refuses to start without the certificate that encrypts its key ring there.
            .UseSetting("Blog:DataProtection:Certificate", new Blog.AppHost.Infrastructure.CertificateParameterDefault("Blog health test").GetDefaultValue())
            .UseSetting("services:api:http:0", "http://127.0.0.1:1"));
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        // Data Protection keys (cookies, antiforgery) live in Redis: the web reports it, and readiness takes it out.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<HealthResponse>(TestContext.Current.CancellationToken);
        Assert.Equal("Unhealthy", health!.Status);
        Assert.Equal("Unhealthy", health.Checks["StackExchange.Redis"]);
    }
}
