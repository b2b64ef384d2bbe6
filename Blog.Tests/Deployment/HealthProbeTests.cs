using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Blog.Tests.Deployment;

/// <summary>The <c>--healthcheck</c> mode the images' health checks run (Blog.ServiceDefaults/HealthProbe.cs).</summary>
public class HealthProbeTests
{
    [Fact]
    public async Task TheProbeSucceedsOnlyForASuccessStatus()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/health", () => "Healthy");
        app.MapGet("/sick", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync(TestContext.Current.CancellationToken);
        var root = app.Urls.Single();

        var output = new StringWriter();
        Assert.Equal(0, HealthProbe.Probe(new Uri($"{root}/health"), output));
        Assert.Equal(1, HealthProbe.Probe(new Uri($"{root}/sick"), output));
        Assert.Contains("503", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, HealthProbe.Probe(new Uri($"http://127.0.0.1:{UnusedPort()}/health"), output));
    }

    [Fact]
    public void TheProbeRunsOnlyWhenAskedAndDefaultsToTheHealthEndpoint()
    {
        Assert.False(HealthProbe.TryGetUrl(["--urls", "http://+:8080"], out _));

        Assert.True(HealthProbe.TryGetUrl(["--healthcheck", "http://localhost:9000/alive"], out var given));
        Assert.Equal(new Uri("http://localhost:9000/alive"), given);

        Assert.True(HealthProbe.TryGetUrl(["--healthcheck"], out var fallback));
        Assert.Equal("/health", fallback!.AbsolutePath);
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
