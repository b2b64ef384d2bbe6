using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Blog.Tests.ServiceDefaults;

/// <summary>
/// The spans one host's <see cref="TracerProvider"/> exports, what its collector would receive. It sits behind a
/// <see cref="SimpleActivityExportProcessor"/>, which passes on recorded spans only, so a span the sampler or the
/// ASP.NET Core filter dropped never shows here.
/// </summary>
internal sealed class ExportedSpans : BaseExporter<Activity>
{
    private readonly ConcurrentQueue<Activity> _spans = new();

    public IReadOnlyCollection<Activity> All => _spans;

    /// <summary>Adds this exporter to the tracer provider <c>AddServiceDefaults</c> builds.</summary>
    public void AddTo(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(this)));

    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            _spans.Enqueue(span);
        }

        return ExportResult.Success;
    }

    /// <summary>Waits until a span matching <paramref name="match"/> is exported (a request's span ends after its response).</summary>
    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_spans.FirstOrDefault(match) is { } span)
            {
                return span;
            }

            await Task.Delay(50, ct);
        }

        throw new TimeoutException("The expected span was not exported within 5 seconds.");
    }
}
