using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Blog.Api.Caching;

/// <summary>
/// Tag generations: what closes the race between a read that fills the cache and the write that evicts it.
/// </summary>
/// <remarks>
/// One counter, and for each tag the counter's value at its last eviction. A miss reads the counter before its
/// handler reads any data (<see cref="OutputCacheMissFilter"/>) and stores it with the entry
/// (<see cref="GenerationCheckingOutputCacheStore"/>); an eviction advances the counter after the write committed and
/// stamps the tags with the new value. An entry one of whose tags (or the pseudo-tag <see cref="AllTags"/>) carries a
/// later generation than the entry was produced from data that may predate the write: it is neither stored nor
/// served. Tag stamps live for twice the entry lifetime: an entry cannot outlive the stamps that refuse it.
/// </remarks>
public abstract class OutputCacheGenerations
{
    /// <summary>The pseudo-tag that every entry carries: advancing it invalidates the whole cache.</summary>
    public const string AllTags = "*";

    /// <summary>The counter now; null when it cannot be known (then nothing may be stored).</summary>
    public abstract ValueTask<long?> CurrentAsync(CancellationToken ct);

    /// <summary>True when neither any of the tags nor <see cref="AllTags"/> was evicted after <paramref name="generation"/>.</summary>
    public abstract ValueTask<bool> IsCurrentAsync(long generation, IReadOnlyCollection<string> tags, CancellationToken ct);

    /// <summary>Evicts the tags: every entry produced before now carrying one of them stops being served. False if that failed.</summary>
    public abstract ValueTask<bool> AdvanceAsync(IReadOnlyCollection<string> tags, CancellationToken ct);
}

/// <summary>The generations of the in-memory output cache: one process, so in memory too.</summary>
internal sealed class MemoryOutputCacheGenerations(TimeProvider time, IOptions<BlogOutputCacheOptions> options) : OutputCacheGenerations
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, (long Generation, DateTimeOffset Expires)> _stamps = new(StringComparer.Ordinal);
    private readonly TimeSpan _stampLifetime = TimeSpan.FromSeconds(2 * options.Value.ExpirationSeconds);
    private long _current;

    public override ValueTask<long?> CurrentAsync(CancellationToken ct) => new(Interlocked.Read(ref _current));

    public override ValueTask<bool> IsCurrentAsync(long generation, IReadOnlyCollection<string> tags, CancellationToken ct) =>
        new(IsCurrent(generation, AllTags) && tags.All(tag => IsCurrent(generation, tag)));

    public override ValueTask<bool> AdvanceAsync(IReadOnlyCollection<string> tags, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            // The counter and the stamps move together, so no reader sees the counter ahead of a stamp it should see.
            var generation = _current + 1;
            foreach (var tag in tags)
            {
                _stamps[tag] = (generation, now + _stampLifetime);
            }

            Interlocked.Exchange(ref _current, generation);
            if (_stamps.Count > 10_000)
            {
                foreach (var (tag, stamp) in _stamps)
                {
                    if (stamp.Expires < now)
                    {
                        _stamps.TryRemove(tag, out _);
                    }
                }
            }
        }

        return new(true);
    }

    private bool IsCurrent(long generation, string tag) => !_stamps.TryGetValue(tag, out var stamp) || stamp.Generation <= generation;
}

/// <summary>
/// The generations of the Redis output cache, in the same Redis under the store's key prefix, shared by every replica.
/// </summary>
/// <remarks>
/// When Redis is unreachable an eviction cannot be recorded, so this replica becomes <em>suspect</em>: it neither
/// serves nor stores entries until it has reconnected and advanced <see cref="OutputCacheGenerations.AllTags"/>,
/// which invalidates every entry written before (the counter never moves back below what this replica saw, even if
/// Redis restarted from an old snapshot). Losing the connection makes a replica suspect too: a request that read the
/// counter before the outage cannot store its response after it. The guarantee and its one limit (another replica
/// that never lost Redis may serve such entries until this one reconnects, at most the entry lifetime) are in
/// docs/caching.md.
/// </remarks>
internal sealed partial class RedisOutputCacheGenerations : OutputCacheGenerations, IDisposable
{
    // KEYS[1] the counter, KEYS[2..] the tags' stamps; ARGV[1] stamp lifetime (ms), ARGV[2] the lowest value allowed.
    // One script, so the counter and the stamps move atomically for every replica.
    private const string AdvanceScript = """
        local g = redis.call('INCR', KEYS[1])
        local floor = tonumber(ARGV[2])
        if g <= floor then
          g = floor + 1
          redis.call('SET', KEYS[1], g)
        end
        for i = 2, #KEYS do
          redis.call('SET', KEYS[i], g, 'PX', ARGV[1])
        end
        return g
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisOutputCacheGenerations> _logger;
    private readonly RedisKey _counterKey;
    private readonly string _stampPrefix;
    private readonly long _stampLifetimeMs;
    private readonly SemaphoreSlim _healing = new(1, 1);
    private long _highestSeen;
    private volatile bool _suspect;

    public RedisOutputCacheGenerations(
        IConnectionMultiplexer redis,
        IOptions<RedisOutputCacheOptions> redisOptions,
        IOptions<BlogOutputCacheOptions> options,
        ILogger<RedisOutputCacheGenerations> logger)
    {
        _redis = redis;
        _logger = logger;
        // Beside the store's own keys (InstanceName + "__MSOCV_"...), so that whatever key prefix and ACL the
        // deployment gives the API's output cache covers these too.
        var prefix = redisOptions.Value.InstanceName ?? "";
        _counterKey = prefix + "__BLOGGEN";
        _stampPrefix = prefix + "__BLOGGEN_";
        _stampLifetimeMs = 2_000L * options.Value.ExpirationSeconds;
        _redis.ConnectionFailed += OnConnectionFailed;
        _redis.ConnectionRestored += OnConnectionRestored;
    }

    /// <summary>True while this replica may have missed an eviction: it then neither serves nor stores entries.</summary>
    public bool IsSuspect => _suspect;

    public override async ValueTask<long?> CurrentAsync(CancellationToken ct)
    {
        if (!await IsUsableAsync())
        {
            return null;
        }

        try
        {
            var generation = (long?)await _redis.GetDatabase().StringGetAsync(_counterKey) ?? 0;
            RaiseHighestSeen(generation);
            return generation;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // The miss is answered, just not stored.
            return null;
        }
    }

    public override async ValueTask<bool> IsCurrentAsync(long generation, IReadOnlyCollection<string> tags, CancellationToken ct)
    {
        if (!await IsUsableAsync())
        {
            return false;
        }

        try
        {
            RedisKey[] keys = [StampKey(AllTags), .. tags.Select(StampKey)];
            var stamps = await _redis.GetDatabase().StringGetAsync(keys);
            return stamps.All(stamp => stamp.IsNull || (long)stamp <= generation);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return false;
        }
    }

    public override async ValueTask<bool> AdvanceAsync(IReadOnlyCollection<string> tags, CancellationToken ct)
    {
        if (_redis.IsConnected && await TryAdvanceAsync(tags))
        {
            return true;
        }

        BecomeSuspect("an eviction could not be recorded");
        return false;
    }

    public void Dispose()
    {
        _redis.ConnectionFailed -= OnConnectionFailed;
        _redis.ConnectionRestored -= OnConnectionRestored;
        _healing.Dispose();
    }

    private async Task<bool> TryAdvanceAsync(IReadOnlyCollection<string> tags)
    {
        try
        {
            RedisKey[] keys = [_counterKey, .. tags.Select(StampKey)];
            var result = await _redis.GetDatabase().ScriptEvaluateAsync(
                AdvanceScript, keys, [_stampLifetimeMs, Interlocked.Read(ref _highestSeen)]);
            RaiseHighestSeen((long)result);
            return true;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            LogAdvanceFailed(_logger, ex);
            return false;
        }
    }

    // A suspect replica heals itself on the next request once Redis answers: one request advances AllTags, the others
    // meanwhile skip the cache.
    private async ValueTask<bool> IsUsableAsync()
    {
        if (!_redis.IsConnected)
        {
            return false;
        }

        if (!_suspect)
        {
            return true;
        }

        if (!await _healing.WaitAsync(0))
        {
            return false;
        }

        try
        {
            if (_suspect && await TryAdvanceAsync([AllTags]))
            {
                _suspect = false;
                LogHealed(_logger);
            }

            return !_suspect;
        }
        finally
        {
            _healing.Release();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => BecomeSuspect("the connection to Redis was lost");

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => _ = IsUsableAsync().AsTask();

    private void BecomeSuspect(string reason)
    {
        if (!_suspect)
        {
            _suspect = true;
            LogSuspect(_logger, reason);
        }
    }

    private void RaiseHighestSeen(long generation)
    {
        var seen = Interlocked.Read(ref _highestSeen);
        while (generation > seen)
        {
            var previous = Interlocked.CompareExchange(ref _highestSeen, generation, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private RedisKey StampKey(string tag) => _stampPrefix + tag;

    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException or ObjectDisposedException;

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Output cache bypassed on this replica: {Reason}. It serves and stores nothing from Redis until it has invalidated every older entry.")]
    private static partial void LogSuspect(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Output cache back in use: every entry written before the outage is invalidated.")]
    private static partial void LogHealed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not advance the output cache generations.")]
    private static partial void LogAdvanceFailed(ILogger logger, Exception exception);
}

/// <summary>
/// Wraps the output cache store: an entry is stored with the generation its request read before running and the
/// tags it carries, and is stored and served only while <see cref="OutputCacheGenerations.IsCurrentAsync"/> says none
/// of them was evicted since. A response that did not read a generation (no stamp) is not stored.
/// </summary>
internal sealed class GenerationCheckingOutputCacheStore(IOutputCacheStore inner, OutputCacheGenerations generations)
    : IOutputCacheStore, IDisposable
{
    private const string StampPrefix = "\u0000generation:";
    private static readonly byte[] Magic = "BOC1"u8.ToArray();

    /// <summary>The pseudo-tag that carries the generation from <see cref="OutputCacheMissFilter"/> to the store; never stored as a tag.</summary>
    public static string Stamp(long generation) => StampPrefix + generation.ToString(CultureInfo.InvariantCulture);

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var stored = await inner.GetAsync(key, cancellationToken);
        if (stored is null || !TryUnwrap(stored, out var generation, out var tags, out var payload))
        {
            return null;
        }

        return await generations.IsCurrentAsync(generation, tags, cancellationToken) ? payload : null;
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        tags ??= [];
        var stamp = tags.FirstOrDefault(t => t.StartsWith(StampPrefix, StringComparison.Ordinal));
        if (stamp is null || !long.TryParse(stamp.AsSpan(StampPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return;
        }

        string[] entryTags = [.. tags.Where(t => !t.StartsWith(StampPrefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)];
        // Refused when a write evicted one of the tags after this response began reading: it may show the old data.
        // (Should an eviction land between this check and the store, the check at lookup refuses the entry.)
        if (!await generations.IsCurrentAsync(generation, entryTags, cancellationToken))
        {
            return;
        }

        await inner.SetAsync(key, Wrap(generation, entryTags, value), entryTags, validFor, cancellationToken);
    }

    public ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken) => inner.EvictByTagAsync(tag, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    // BOC1 | generation (int64) | tag count (int32) | per tag: length (int32) + UTF-8 | the framework's entry bytes.
    private static byte[] Wrap(long generation, string[] tags, byte[] payload)
    {
        using var buffer = new MemoryStream(payload.Length + 64 + (tags.Length * 48));
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(generation);
            writer.Write(tags.Length);
            foreach (var tag in tags)
            {
                writer.Write(tag);
            }

            writer.Write(payload);
        }

        return buffer.ToArray();
    }

    private static bool TryUnwrap(byte[] stored, out long generation, out string[] tags, out byte[] payload)
    {
        generation = 0;
        tags = [];
        payload = [];
        if (stored.Length < Magic.Length || !stored.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            // Written by an older version of the API: not trusted.
            return false;
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(stored, Magic.Length, stored.Length - Magic.Length), System.Text.Encoding.UTF8);
            generation = reader.ReadInt64();
            var count = reader.ReadInt32();
            if (count is < 0 or > 10_000)
            {
                return false;
            }

            tags = new string[count];
            for (var i = 0; i < count; i++)
            {
                tags[i] = reader.ReadString();
            }

            var offset = (int)reader.BaseStream.Position + Magic.Length;
            payload = stored[offset..];
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
