using System.Collections.Concurrent;

namespace Blog.Api.Storage.LiteDB;

/// <summary>
/// Remembers aggregates (list totals, tag counts) until the next write to the file. Only this process writes the file
/// (see <see cref="LiteDbContext"/>), so it sees every change: a value is reused only while
/// <see cref="LiteDbContext.WriteVersion"/> is the same even number it was computed under.
/// </summary>
internal sealed class LiteDbReadCache<TKey, TValue>(LiteDbContext context) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();

    public TValue Get(TKey key, Func<TKey, TValue> compute)
    {
        var before = context.WriteVersion;
        var writing = before % 2 != 0;
        if (!writing && _entries.TryGetValue(key, out var hit) && hit.Version == before)
        {
            return hit.Value;
        }

        var value = compute(key);
        if (!writing && context.WriteVersion == before)
        {
            _entries[key] = new Entry(before, value);
        }

        return value;
    }

    // A reference, replaced whole: readers never see a version paired with another version's value.
    private sealed record Entry(long Version, TValue Value);
}
