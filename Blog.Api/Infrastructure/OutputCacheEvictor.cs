using Microsoft.AspNetCore.OutputCaching;

namespace Blog.Api;

/// <summary>
/// Evicts output cache tags after a write, before the write's response is sent, so that the writer and every later
/// reader see the change. A failed eviction (Redis unreachable) never fails the write: it is logged, and the stale
/// entries expire within <see cref="BlogOutputCacheOptions.ExpirationSeconds"/>.
/// </summary>
public sealed partial class OutputCacheEvictor(IOutputCacheStore store, ILogger<OutputCacheEvictor> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task EvictAsync(params string[] tags)
    {
        // Not the request's token: a client that hangs up after its write still gets the stale entries evicted.
        using var timeout = new CancellationTokenSource(Timeout);
        foreach (var tag in tags)
        {
            try
            {
                await store.EvictByTagAsync(tag, timeout.Token);
            }
            catch (Exception ex)
            {
                LogEvictionFailed(logger, ex, tag);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not evict output cache tag {Tag}; its entries stay until they expire.")]
    private static partial void LogEvictionFailed(ILogger logger, Exception exception, string tag);
}
