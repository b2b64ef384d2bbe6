using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.OutputCaching;
using StackExchange.Redis;

namespace Blog.Api.Caching;

/// <summary>
/// Wraps the Redis output cache store so that an unreachable Redis costs a request nothing: while the multiplexer is
/// disconnected, reads are misses and writes are skipped without touching the network; a command that fails anyway
/// (timeout, connection lost mid-flight) is logged and treated the same way. Evictions are not swallowed here:
/// <see cref="OutputCacheEvictor"/> reports them, because a failed eviction means stale entries until they expire.
/// </summary>
internal sealed partial class FailFastOutputCacheStore(
    IOutputCacheStore inner, IConnectionMultiplexer redis, ILogger<FailFastOutputCacheStore> logger)
    : IOutputCacheBufferStore, IDisposable
{
    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return null;
        }

        try
        {
            return await inner.GetAsync(key, cancellationToken);
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            LogCacheFailure(logger, ex, "read");
            return null;
        }
    }

    public async ValueTask<bool> TryGetAsync(string key, PipeWriter destination, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return false;
        }

        try
        {
            if (inner is IOutputCacheBufferStore buffered)
            {
                return await buffered.TryGetAsync(key, destination, cancellationToken);
            }

            var value = await inner.GetAsync(key, cancellationToken);
            if (value is null)
            {
                return false;
            }

            await destination.WriteAsync(value, cancellationToken);
            return true;
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            LogCacheFailure(logger, ex, "read");
            return false;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            await inner.SetAsync(key, value, tags, validFor, cancellationToken);
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            LogCacheFailure(logger, ex, "write");
        }
    }

    public async ValueTask SetAsync(
        string key, ReadOnlySequence<byte> value, ReadOnlyMemory<string> tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            if (inner is IOutputCacheBufferStore buffered)
            {
                await buffered.SetAsync(key, value, tags, validFor, cancellationToken);
            }
            else
            {
                await inner.SetAsync(key, value.ToArray(), tags.ToArray(), validFor, cancellationToken);
            }
        }
        catch (Exception ex) when (IsCacheFailure(ex))
        {
            LogCacheFailure(logger, ex, "write");
        }
    }

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) =>
        redis.IsConnected
            ? inner.EvictByTagAsync(tag, cancellationToken)
            : throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private static bool IsCacheFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Output cache {Operation} failed; answering uncached.")]
    private static partial void LogCacheFailure(ILogger logger, Exception exception, string operation);
}
