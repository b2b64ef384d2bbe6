using Blog.Api.Storage;
using Microsoft.Extensions.Caching.Memory;

namespace Blog.Api.Posts;

/// <summary>
/// Author names for responses, looked up once per user per request (a page of posts or comments names few authors).
/// Scoped; backed by <see cref="AuthorCache"/>, which spares most requests the user lookup.
/// </summary>
public sealed class Authors(IUserStore users, AuthorCache shared)
{
    private static readonly AuthorRef Unknown = new("unknown", "Unknown author");

    private readonly Dictionary<string, AuthorRef> _known = new(StringComparer.Ordinal);

    public async Task<AuthorRef> GetAsync(string userId, CancellationToken ct)
    {
        if (_known.TryGetValue(userId, out var author))
        {
            return author;
        }

        if (shared.TryGet(userId, out author))
        {
            _known[userId] = author;
            return author;
        }

        var user = await users.FindByIdAsync(userId, ct);
        if (user is null)
        {
            author = Unknown; // not shared: only a real user's name is worth remembering
        }
        else
        {
            author = new AuthorRef(user.Username, user.DisplayName);
            shared.Set(userId, author);
        }

        _known[userId] = author;
        return author;
    }

    public void Remember(User user) => _known[user.Id] = new AuthorRef(user.Username, user.DisplayName);
}

/// <summary>
/// Each replica remembers an author's name for <see cref="Duration"/> (2 s): under load every post, list and comment
/// read names its author, and this saves a user lookup per request. A profile change made through this replica evicts
/// the entry at once (<see cref="Evict"/>, called where the output cache's <c>users</c> tag is evicted), so this
/// replica shows it on the next read; a change made through another replica shows here at most 2 s late (the same
/// rule as <see cref="UserStatusCache"/>, whose bound is 5 s). Singleton.
/// </summary>
public sealed class AuthorCache(IMemoryCache cache)
{
    public static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);

    public bool TryGet(string userId, out AuthorRef author)
    {
        if (cache.TryGetValue(Key(userId), out var value) && value is AuthorRef found)
        {
            author = found;
            return true;
        }

        author = null!;
        return false;
    }

    public void Set(string userId, AuthorRef author) => cache.Set(Key(userId), author, Duration);

    public void Evict(string userId) => cache.Remove(Key(userId));

    private static string Key(string userId) => "author:" + userId;
}
