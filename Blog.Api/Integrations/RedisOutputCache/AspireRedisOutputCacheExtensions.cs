using Aspire.StackExchange.Redis;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

// Stand-in for the official Aspire.StackExchange.Redis.OutputCaching package, which NuGet does not serve to this
// project. Same public shape (AddRedisOutputCache(connectionName, configureSettings, configureOptions)) and the same
// behaviour: the Aspire Redis client (connection string, health check "StackExchange.Redis", tracing) plus the
// ASP.NET Core Redis output cache store using that client's IConnectionMultiplexer. Swapping in the official package
// is deleting this file and adding the PackageReference.

/// <summary>Registers a Redis-backed output cache store on top of the Aspire Redis client.</summary>
public static class AspireRedisOutputCacheExtensions
{
    /// <summary>
    /// Registers <see cref="IConnectionMultiplexer"/> for <paramref name="connectionName"/> (see
    /// <c>AddRedisClient</c>) and makes the output cache store its entries in that Redis.
    /// Call <c>app.UseOutputCache()</c> to use it.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="connectionName">The name of the connection string (<c>ConnectionStrings:{connectionName}</c>).</param>
    /// <param name="configureSettings">Changes the Aspire client settings after they are read from configuration.</param>
    /// <param name="configureOptions">Changes the StackExchange.Redis options after they are read from the connection string.</param>
    public static void AddRedisOutputCache(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<StackExchangeRedisSettings>? configureSettings = null,
        Action<ConfigurationOptions>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);

        builder.AddRedisClient(connectionName, configureSettings, configureOptions);

        builder.Services.AddStackExchangeRedisOutputCache(static _ => { });
        builder.Services.AddOptions<RedisOutputCacheOptions>()
            .Configure<IServiceProvider>(static (options, services) =>
                options.ConnectionMultiplexerFactory =
                    () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
    }
}
