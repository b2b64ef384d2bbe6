using System.Diagnostics;
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
    public void TheChildrenOfAFilteredHealthProbeAreNotRecorded(string? configuredSampler)
    {
        var name = $"tracing-defaults-{Guid.NewGuid():N}";
        using var host = BuildHost(name, configuredSampler);
        using var source = new ActivitySource(name);

        using (var request = source.StartActivity("GET /posts/{slug}"))
        {
            Assert.True(request?.Recorded);
            using var query = source.StartActivity("find posts");
            Assert.True(query?.Recorded);
        }

        using var probe = source.StartActivity("GET /health");
        Assert.NotNull(probe);
        // What the ASP.NET Core instrumentation does to a request its filter rejects (the defaults reject /health).
        probe.IsAllDataRequested = false;
        probe.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;

        using var ping = source.StartActivity("PING");
        Assert.False(ping?.Recorded ?? false);
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
