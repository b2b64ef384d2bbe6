using Blog.Api.Storage;

namespace Blog.Api.Users;

/// <summary>The author of a post or comment as responses name them.</summary>
public sealed record AuthorRef(string Username, string DisplayName);

/// <summary>
/// Author names for responses, looked up once per user per request (a page of posts or comments names few authors).
/// Scoped.
/// </summary>
public sealed class Authors(IUserStore users)
{
    private static readonly AuthorRef Unknown = new("unknown", "Unknown author");

    private readonly Dictionary<string, AuthorRef> _known = new(StringComparer.Ordinal);

    public async Task<AuthorRef> GetAsync(string userId, CancellationToken ct)
    {
        if (_known.TryGetValue(userId, out var author))
        {
            return author;
        }

        var user = await users.FindByIdAsync(userId, ct);
        author = user is null ? Unknown : new AuthorRef(user.Username, user.DisplayName);
        _known[userId] = author;
        return author;
    }

    public void Remember(User user) => _known[user.Id] = new AuthorRef(user.Username, user.DisplayName);
}
