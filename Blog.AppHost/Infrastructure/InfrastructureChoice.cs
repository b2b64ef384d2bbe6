using Microsoft.Extensions.Configuration;

namespace Blog.AppHost.Infrastructure;

public enum DatabaseKind
{
    /// <summary>A MongoDB container managed by the AppHost.</summary>
    MongoDBContainer,
    /// <summary>An existing MongoDB named by <c>ConnectionStrings:blogdb</c>.</summary>
    MongoDBConnectionString,
    /// <summary>The embedded LiteDB file owned by the API: no container.</summary>
    Embedded,
}

public enum CacheKind
{
    RedisContainer,
    RedisConnectionString,
    /// <summary>In-process memory: each API replica has its own cache.</summary>
    Memory,
}

/// <summary>What the AppHost runs for the database and the cache, and why (one sentence each, logged at start).</summary>
public sealed record InfrastructureChoice(DatabaseKind Database, string DatabaseReason, CacheKind Cache, string CacheReason)
{
    public const string DatabaseKey = "Blog:Database";
    public const string CacheKey = "Blog:Cache";

    /// <summary>
    /// Decides from configuration (<c>Blog:Database</c> = auto|mongodb|embedded, <c>Blog:Cache</c> = auto|redis|memory,
    /// <c>ConnectionStrings:blogdb</c>/<c>cache</c>) and, for <c>auto</c> in run mode only, from what the machine can
    /// really start. Publish mode never probes: with <c>auto</c> the published model holds both containers.
    /// </summary>
    public static async Task<InfrastructureChoice> DecideAsync(IConfiguration configuration, bool isPublishMode, ContainerRuntimeProbe probe)
    {
        var databaseMode = ReadMode(configuration, DatabaseKey, "mongodb", "embedded");
        var cacheMode = ReadMode(configuration, CacheKey, "redis", "memory");

        var database = DecideAsync(
            configuration.GetConnectionString("blogdb"), databaseMode, isPublishMode, probe, "MongoDB",
            Aspire.Hosting.MongoDBBuilderExtensions.ImageReference, DatabaseKey, "embedded", "the embedded LiteDB store");
        var cache = DecideAsync(
            configuration.GetConnectionString("cache"), cacheMode, isPublishMode, probe, "Redis",
            RedisImageReference, CacheKey, "memory", "the in-memory output cache");

        var (databaseKind, databaseReason) = await database.ConfigureAwait(false);
        var (cacheKind, cacheReason) = await cache.ConfigureAwait(false);

        return new(
            databaseKind switch
            {
                Kind.Container => DatabaseKind.MongoDBContainer,
                Kind.ConnectionString => DatabaseKind.MongoDBConnectionString,
                _ => DatabaseKind.Embedded,
            },
            databaseReason,
            cacheKind switch
            {
                Kind.Container => CacheKind.RedisContainer,
                Kind.ConnectionString => CacheKind.RedisConnectionString,
                _ => CacheKind.Memory,
            },
            cacheReason);
    }

    /// <summary>The image Aspire.Hosting.Redis 13.6.5 runs.</summary>
    public const string RedisImageReference = "docker.io/library/redis:8.6";

    private enum Kind { Container, ConnectionString, Local }

    private static async Task<(Kind, string)> DecideAsync(
        string? connectionString, string mode, bool isPublishMode, ContainerRuntimeProbe probe,
        string server, string image, string key, string localMode, string localName)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return (Kind.ConnectionString, $"{server}: using the existing server from ConnectionStrings:{ConnectionName(server)} (no container).");
        }

        switch (mode)
        {
            case "container":
                return (Kind.Container, $"{server}: container {image}, because {key} asks for it.");
            case "local":
                return (Kind.Local, $"{server}: not used; {localName} instead, because {key}={localMode}. Remove the setting (auto) or set it to {ContainerMode(server)} for a {server} container.");
        }

        if (isPublishMode)
        {
            // What this machine can run says nothing about the deployment target.
            return (Kind.Container, $"{server}: publishing includes the {server} container ({key}=auto).");
        }

        var runtime = await probe.GetHealthyRuntimeAsync().ConfigureAwait(false);
        if (runtime is null)
        {
            return (Kind.Local, $"{server}: not used; {localName} instead, because no container runtime is running (docker/podman). Start Docker and run again, or set {key}={ContainerMode(server)} to insist.");
        }

        if (await probe.IsImagePresentAsync(image).ConfigureAwait(false))
        {
            return (Kind.Container, $"{server}: container {image} ({runtime}, image present locally).");
        }

        if (await probe.IsRegistryReachableAsync().ConfigureAwait(false))
        {
            return (Kind.Container, $"{server}: container {image} ({runtime}; the image will be pulled).");
        }

        return (Kind.Local, $"{server}: not used; {localName} instead, because the image {image} is not present locally and no registry is reachable to pull it. Load the image and run again, or set {key}={ContainerMode(server)} to insist.");
    }

    private static string ConnectionName(string server) => server == "MongoDB" ? "blogdb" : "cache";

    private static string ContainerMode(string server) => server == "MongoDB" ? "mongodb" : "redis";

    private static string ReadMode(IConfiguration configuration, string key, string containerValue, string localValue)
    {
        var value = configuration[key]?.Trim();
        if (string.IsNullOrEmpty(value) || value.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return "auto";
        }

        if (value.Equals(containerValue, StringComparison.OrdinalIgnoreCase))
        {
            return "container";
        }

        if (value.Equals(localValue, StringComparison.OrdinalIgnoreCase))
        {
            return "local";
        }

        throw new InvalidOperationException($"{key} is '{value}'; it must be auto, {containerValue} or {localValue}.");
    }
}
