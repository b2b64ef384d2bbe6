using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Adds common Aspire services: service discovery, resilience, health checks, and OpenTelemetry.
/// The shape follows the Aspire project template so that it reads the same as every other Aspire app.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    private const string TracesSamplerKey = "OTEL_TRACES_SAMPLER";

    /// <summary>
    /// The <see cref="System.Diagnostics.ActivitySource"/> names the blog's own code traces with.
    /// </summary>
    public static readonly string[] BlogActivitySources = ["Blog.Api", "Blog.Web", "Blog.Storage"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();

        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();

        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Turn on resilience by default
            http.AddStandardResilienceHandler();

            // Turn on service discovery by default
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
            })
            .WithTracing(tracing =>
            {
                // The filter below leaves a health probe's request span unrecorded, but Aspire's OTEL_TRACES_SAMPLER=always_on
                // records every span regardless of its parent: the probe's Redis PINGs would still show, as orphan traces.
                // Parent-based keeps them out and still records every root; any other configured sampler is left alone.
                if (string.Equals(builder.Configuration[TracesSamplerKey], "always_on", StringComparison.OrdinalIgnoreCase))
                {
                    tracing.SetSampler(new ParentBasedSampler(new AlwaysOnSampler()));
                }

                tracing.AddSource(builder.Environment.ApplicationName)
                    .AddSource(BlogActivitySources)
                    .AddAspNetCoreInstrumentation(options =>
                        // Keep health probes out of the traces: they arrive every few seconds and say nothing.
                        options.Filter = context =>
                            !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                            && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                    .AddHttpClientInstrumentation();
            });

        builder.AddOpenTelemetryExporters();

        return builder;
    }

    private static TBuilder AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var useOtlpExporter = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        if (useOtlpExporter)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            // Add a default liveness check to ensure app is responsive
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (readiness: every check must pass) and <c>/alive</c> (liveness: only checks tagged "live").
    /// Both are mapped in every environment because container orchestrators probe them; they expose only a status word.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = WriteHealthReportAsync
        }).DisableHttpMetrics();

        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = r => r.Tags.Contains("live")
        }).DisableHttpMetrics();

        return app;
    }

    /// <summary>
    /// <c>{"status":"Degraded","checks":{"storage":"Healthy","cache":"Degraded"}}</c>: the overall status and each
    /// check's, so operators see which dependency is failing. Descriptions and exceptions stay in the logs.
    /// </summary>
    private static Task WriteHealthReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthResponse(
            report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()));
        return context.Response.WriteAsJsonAsync(body, HealthResponseJsonContext.Default.HealthResponse);
    }
}

/// <summary>The body of <c>/health</c>.</summary>
public sealed record HealthResponse(string Status, Dictionary<string, string> Checks);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthResponseJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
