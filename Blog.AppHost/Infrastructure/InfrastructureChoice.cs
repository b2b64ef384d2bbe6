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

    /// <summary>The image our AddMongoDB runs (Hosting/MongoDB), as the official Aspire.Hosting.MongoDB 13.4+ does.</summary>
    public const string MongoImageReference = Aspire.Hosting.MongoDBBuilderExtensions.ImageReference;

    /// <summary>The image Aspire.Hosting.Redis 13.6.5 runs.</summary>
    public const string RedisImageReference = "docker.io/library/redis:8.6";

    private static readonly BackingService s_database = new(
        "MongoDB", "blogdb", DatabaseKey, "mongodb", "embedded", "the embedded LiteDB store",
        MongoImageReference);

    private static readonly BackingService s_cache = new(
        "Redis", "cache", CacheKey, "redis", "memory", "the in-memory output cache", RedisImageReference);

    /// <summary>
    /// Decides from configuration (<c>Blog:Database</c> = auto|mongodb|embedded, <c>Blog:Cache</c> = auto|redis|memory,
    /// <c>ConnectionStrings:blogdb</c>/<c>cache</c>) and, for <c>auto</c> in run mode only, from what the machine can
    /// really start. Publish mode never probes: with <c>auto</c> the published model holds both containers.
    /// </summary>
    public static async Task<InfrastructureChoice> DecideAsync(IConfiguration configuration, bool isPublishMode, ContainerRuntimeProbe probe)
    {
        var database = s_database.DecideAsync(configuration, isPublishMode, probe);
        var cache = s_cache.DecideAsync(configuration, isPublishMode, probe);

        var (databaseSource, databaseReason) = await database.ConfigureAwait(false);
        var (cacheSource, cacheReason) = await cache.ConfigureAwait(false);

        return new(
            databaseSource switch
            {
                Source.Container => DatabaseKind.MongoDBContainer,
                Source.ConnectionString => DatabaseKind.MongoDBConnectionString,
                _ => DatabaseKind.Embedded,
            },
            databaseReason,
            cacheSource switch
            {
                Source.Container => CacheKind.RedisContainer,
                Source.ConnectionString => CacheKind.RedisConnectionString,
                _ => CacheKind.Memory,
            },
            cacheReason);
    }

    private enum Source { Container, ConnectionString, Local }

    /// <summary>One backing service and the words the AppHost uses for it: its setting, its values, its local stand-in.</summary>
    private sealed record BackingService(
        string Server, string ConnectionName, string Key, string ContainerValue, string LocalValue, string LocalName, string Image)
    {
        public async Task<(Source, string Reason)> DecideAsync(IConfiguration configuration, bool isPublishMode, ContainerRuntimeProbe probe)
        {
            if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionName)))
            {
                return (Source.ConnectionString, $"{Server}: using the existing server from ConnectionStrings:{ConnectionName} (no container).");
            }

            var mode = configuration[Key]?.Trim();
            if (mode is { Length: > 0 } && !mode.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                if (mode.Equals(ContainerValue, StringComparison.OrdinalIgnoreCase))
                {
                    return (Source.Container, $"{Server}: container {Image}, because {Key}={ContainerValue}.");
                }

                if (mode.Equals(LocalValue, StringComparison.OrdinalIgnoreCase))
                {
                    return (Source.Local, $"{Server}: not used; {LocalName} instead, because {Key}={LocalValue}. Remove the setting (auto) or set {Key}={ContainerValue} for a {Server} container.");
                }

                throw new InvalidOperationException($"{Key} is '{mode}'; it must be auto, {ContainerValue} or {LocalValue}.");
            }

            if (isPublishMode)
            {
                // What this machine can run says nothing about the deployment target.
                return (Source.Container, $"{Server}: publishing includes the {Server} container ({Key}=auto).");
            }

            var runtime = await probe.GetHealthyRuntimeAsync().ConfigureAwait(false);
            if (runtime is null)
            {
                return (Source.Local, $"{Server}: not used; {LocalName} instead, because no container runtime is running (docker/podman). {Insist}");
            }

            if (await probe.IsImagePresentAsync(Image).ConfigureAwait(false))
            {
                return (Source.Container, $"{Server}: container {Image} ({runtime}, image present locally).");
            }

            if (await probe.IsRegistryReachableAsync().ConfigureAwait(false))
            {
                return (Source.Container, $"{Server}: container {Image} ({runtime}; the image will be pulled).");
            }

            return (Source.Local, $"{Server}: not used; {LocalName} instead, because the image {Image} is not present locally and no registry is reachable to pull it. {Insist}");
        }

        private string Insist => $"Make it available and run again, or set {Key}={ContainerValue} to insist.";
    }
}
