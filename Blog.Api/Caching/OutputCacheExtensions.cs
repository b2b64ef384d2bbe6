using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Blog.Api.Caching;

internal static class OutputCacheExtensions
{
    public const string CacheConnectionName = "cache";

    /// <summary>
    /// Every key the API writes to Redis starts with this. Deployments give the API a Redis user that may touch only
    /// <c>blog-api:*</c> (and the web one for <c>blog-web:*</c>), so the internet-facing web can neither read nor
    /// write the responses the API serves to everyone.
    /// </summary>
    public const string RedisKeyPrefix = "blog-api:";

    /// <summary>The name of the health check that the Aspire Redis client registers.</summary>
    public const string RedisHealthCheckName = "StackExchange.Redis";

    /// <summary>
    /// Redis output cache when the AppHost gave a <c>cache</c> connection (shared by every replica), in-memory otherwise.
    /// Either way with the blog's named policies (<see cref="OutputCachePolicies"/>), the evictor that writes use, and
    /// tag generations (<see cref="OutputCacheGenerations"/>, in the same Redis or in memory) checked on every store and
    /// lookup, so that no entry is stored or served once a write evicted one of its tags.
    /// </summary>
    /// <remarks>
    /// Redis is an accelerator, never a dependency: when it is down, requests are answered uncached at once
    /// (<see cref="FailFastOutputCacheStore"/>), the connection is retried in the background, and <c>/health</c>
    /// reports the cache Degraded instead of Unhealthy so that readiness probes keep the API in service.
    /// </remarks>
    public static void AddBlogOutputCache(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<BlogOutputCacheOptions>().BindConfiguration(BlogOutputCacheOptions.SectionName);

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(CacheConnectionName)))
        {
            builder.AddRedisOutputCache(CacheConnectionName, configureOptions: FailFast);
            services.PostConfigure<Microsoft.AspNetCore.OutputCaching.StackExchangeRedis.RedisOutputCacheOptions>(
                options => options.InstanceName = RedisKeyPrefix);
            DecorateStoreWithFailFast(services);
            services.AddSingleton<RedisOutputCacheGenerations>();
            services.AddSingleton<OutputCacheGenerations>(sp => sp.GetRequiredService<RedisOutputCacheGenerations>());

            services.PostConfigure<HealthCheckServiceOptions>(options =>
            {
                foreach (var registration in options.Registrations.Where(r => r.Name == RedisHealthCheckName))
                {
                    registration.FailureStatus = HealthStatus.Degraded;
                    registration.Timeout = TimeSpan.FromSeconds(2);
                }
            });
        }
        else
        {
            services.AddOutputCache();
            services.AddSingleton<OutputCacheGenerations, MemoryOutputCacheGenerations>();
        }

        Decorate(services, (sp, store) => new GenerationCheckingOutputCacheStore(store, sp.GetRequiredService<OutputCacheGenerations>()));
        services.AddSingleton<OutputCacheMissFilter>();
        services.AddSingleton<IConfigureOptions<OutputCacheOptions>, ConfigureBlogOutputCachePolicies>();
        services.AddSingleton<OutputCacheEvictor>();
    }

    // A cache that is down must cost a request nothing: no waiting for a connection, no queueing commands until it
    // comes back. The multiplexer reconnects in the background.
    private static void FailFast(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2_000;
        options.SyncTimeout = 1_000;
        options.AsyncTimeout = 1_000;
        options.ConnectRetry = 1;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5_000);
    }

    private static void DecorateStoreWithFailFast(IServiceCollection services) =>
        Decorate(services, (sp, redisStore) => new FailFastOutputCacheStore(
            redisStore,
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<ILogger<FailFastOutputCacheStore>>()));

    private static void Decorate(IServiceCollection services, Func<IServiceProvider, IOutputCacheStore, IOutputCacheStore> decorate)
    {
        var inner = services.Last(d => d.ServiceType == typeof(IOutputCacheStore));
        services.RemoveAll<IOutputCacheStore>();
        services.AddSingleton(sp => decorate(sp, CreateInstance(sp, inner)));
    }

    private static IOutputCacheStore CreateInstance(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IOutputCacheStore)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    private sealed class ConfigureBlogOutputCachePolicies(IOptions<BlogOutputCacheOptions> blogOptions)
        : IConfigureOptions<OutputCacheOptions>
    {
        public void Configure(OutputCacheOptions options) => OutputCachePolicies.AddTo(options, blogOptions.Value);
    }
}
