// Stand-in for the official Aspire.MongoDB.Driver client integration, which cannot be restored here (see
// ASPIRE-FACTS.md). Same public shape, configuration keys and behaviour, so that switching to the official package is
// a package reference and the deletion of this folder.
namespace Aspire.MongoDB.Driver;

/// <summary>
/// Settings of the MongoDB client integration, bound from <c>Aspire:MongoDB:Driver</c> and then
/// <c>Aspire:MongoDB:Driver:{connectionName}</c>; <c>ConnectionStrings:{connectionName}</c> takes precedence over
/// <see cref="ConnectionString"/>.
/// </summary>
public sealed class MongoDBSettings
{
    /// <summary>The MongoDB connection string (a <c>mongodb://</c> or <c>mongodb+srv://</c> URL).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>When true, no <c>MongoDB.Driver</c> health check is registered.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Timeout of the health check's ping, in milliseconds; none when null, 0 or less.</summary>
    public int? HealthCheckTimeout { get; set; }

    /// <summary>
    /// When true, the driver's built-in tracing is turned off for this client (<c>TracingOptions.Disabled</c>) and its
    /// <c>MongoDB.Driver</c> source is not registered with OpenTelemetry.
    /// </summary>
    public bool DisableTracing { get; set; }
}
