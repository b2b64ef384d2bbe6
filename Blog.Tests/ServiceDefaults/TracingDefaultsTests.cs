using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Trace;

namespace Blog.Tests.ServiceDefaults;

/// <summary>
/// What <c>AddServiceDefaults</c> records. Each test traces an ActivitySource of its own (the host's application name,
/// which the defaults trace), so the decisions seen are that host's sampler's, whatever else the process listens to.
/// </summary>
public sealed class TracingDefaultsTests
{
    [Theory]
    [InlineData("always_on")] // what Aspire sets on every project it runs
    [InlineData(null)] // the OpenTelemetry default, parentbased_always_on
    public async Task HealthProbesAndTheirChildrenAreNotExportedWhileOtherRequestsAre(string? configuredSampler)
    {
        var name = $"tracing-defaults-{Guid.NewGuid():N}";
        using var source = new ActivitySource(name);
        var exported = new ExportedSpans();
        await using var app = await StartAppAsync(name, configuredSampler, source, exported);
        using var client = app.GetTestClient();

        // Both probes run the check below, which starts a child span the way the cache's Redis PING does.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/posts/{name}", Ct)).StatusCode);

        var request = await exported.WaitForAsync(s => UrlPath(s) == $"/posts/{name}", Ct);
        var query = Assert.Single(exported.All, s => s.Source.Name == name && s.DisplayName == "find posts");
        Assert.Equal(request.SpanId, query.ParentSpanId);
        await app.StopAsync(Ct); // every probe request has ended: its span is exported by now, if at all

        Assert.DoesNotContain(exported.All, s => UrlPath(s) is "/health" or "/alive");
        Assert.DoesNotContain(exported.All, s => s.Source.Name == name && s.DisplayName == "PING");
    }

    [Fact]
    public void AnyOtherConfiguredSamplerIsUsedAsConfigured()
    {
        var name = $"tracing-defaults-{Guid.NewGuid():N}";
        using var host = BuildHost(name, "always_off");
        using var source = new ActivitySource(name);

        using var request = source.StartActivity("GET /");

        Assert.False(request?.Recorded ?? false);
    }

    /// <summary>
    /// A real web host on a TestServer with <c>AddServiceDefaults</c> and <c>MapDefaultEndpoints</c>, so the requests pass
    /// the ASP.NET Core instrumentation and its filter exactly as the API's and the web's do.
    /// </summary>
    private static async Task<WebApplication> StartAppAsync(string applicationName, string? tracesSampler, ActivitySource source, ExportedSpans exported)
    {
        // The empty builder reads no environment variables: the machine's OTEL_* stay out.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = applicationName });
        builder.WebHost.UseTestServer();
        builder.Services.AddRouting();
        if (tracesSampler is not null)
        {
            builder.Configuration["OTEL_TRACES_SAMPLER"] = tracesSampler;
        }

        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("child-span", () =>
        {
            using var ping = source.StartActivity("PING");
            return HealthCheckResult.Healthy();
        }, ["live"]);
        exported.AddTo(builder.Services);

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/posts/{slug}", (string slug) =>
        {
            using var query = source.StartActivity("find posts");
            return slug;
        });
        await app.StartAsync(Ct);
        return app;
    }

    // The instrumentation's tag for the request's path; other tests' hosts in this process are seen too, so spans are
    // told apart by it.
    private static string? UrlPath(Activity span) => span.GetTagItem("url.path") as string;

    private static IHost BuildHost(string applicationName, string? tracesSampler)
    {
        // No default sources: the machine's OTEL_* variables stay out.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = applicationName,
            DisableDefaults = true,
        });
        if (tracesSampler is not null)
        {
            builder.Configuration["OTEL_TRACES_SAMPLER"] = tracesSampler;
        }

        builder.AddServiceDefaults();
        var host = builder.Build();
        // Building the provider is what starts its listener.
        _ = host.Services.GetRequiredService<TracerProvider>();
        return host;
    }
}
