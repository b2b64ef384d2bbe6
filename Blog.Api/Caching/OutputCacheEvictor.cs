using Microsoft.AspNetCore.OutputCaching;

namespace Blog.Api.Caching;

/// <summary>
/// Evicts output cache tags (<see cref="CacheTags"/>) after a write committed, before the write's response is sent,
/// so that the writer and every later reader see the change. First the tags' generations advance (from then on no
/// entry produced before the write is stored or served, see <see cref="OutputCacheGenerations"/>), then the entries
/// are deleted to free their memory. A failed eviction (Redis unreachable) never fails the write: it is logged, and
/// the replica bypasses the cache until it has invalidated every entry written before.
/// </summary>
public sealed partial class OutputCacheEvictor(
    IOutputCacheStore store, OutputCacheGenerations generations, ILogger<OutputCacheEvictor> logger)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task EvictAsync(params string[] tags)
    {
        // Not the request's token: a client that hangs up after its write still gets the stale entries evicted.
        using var timeout = new CancellationTokenSource(Timeout);
        if (!await generations.AdvanceAsync(tags, timeout.Token))
        {
            LogGenerationsFailed(logger, string.Join(' ', tags));
        }

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
        Message = "Could not record the eviction of output cache tags {Tags}; this replica bypasses the cache until it can invalidate every older entry.")]
    private static partial void LogGenerationsFailed(ILogger logger, string tags);

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Could not delete the entries of output cache tag {Tag}; they are no longer served and expire on their own.")]
    private static partial void LogEvictionFailed(ILogger logger, Exception exception, string tag);
}
