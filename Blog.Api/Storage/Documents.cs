namespace Blog.Api.Storage;

// Storage documents. They never leave the API: every endpoint maps them to response records.
// Both stores persist them as they are (MongoDB through the driver's class maps, LiteDB through its BsonMapper),
// so a property added here is stored by both. Times are UTC and truncated to milliseconds (BSON precision),
// so both stores give back exactly what was written.
// On every write the stores also set, on the object passed in: times in UTC truncated to milliseconds (an Unspecified
// kind is taken as UTC), NormalizedUsername/NormalizedEmail from Username/Email, and Post.SearchTerms from the
// title, summary and body; callers need not compute them.

public static class Roles
{
    public const string Reader = "Reader";
    public const string Author = "Author";
    public const string Editor = "Editor";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Reader, Author, Editor, Admin];

    /// <summary>The canonical spelling of a role name given in any case, or null when it is not a role.</summary>
    public static string? Normalize(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
}

public static class PostStatus
{
    public const string Draft = "draft";
    public const string Published = "published";
}

public sealed class User
{
    public required string Id { get; set; }
    public required string Username { get; set; }
    /// <summary>Lower-case invariant copy of <see cref="Username"/>: the unique key.</summary>
    public required string NormalizedUsername { get; set; }
    public required string Email { get; set; }
    /// <summary>Lower-case invariant copy of <see cref="Email"/>: the unique key.</summary>
    public required string NormalizedEmail { get; set; }
    public required string DisplayName { get; set; }
    /// <summary>
    /// <see cref="UserSearch.DisplayNameKey"/> of <see cref="DisplayName"/>, what the admin search compares with; set by
    /// the stores on every write (callers need not set it).
    /// </summary>
    public string NormalizedDisplayName { get; set; } = "";
    public string? Bio { get; set; }
    public required string Role { get; set; }
    public required string PasswordHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool Disabled { get; set; }
    /// <summary>
    /// Incremented by every event that ends all of the user's sessions (password change or reset, disable): a refresh
    /// family or access token minted under an older value is refused. A counter, not a time, so that a sign-in that
    /// read the old password hash also read the old value (one document read) and can never outlive the change.
    /// </summary>
    public long SessionVersion { get; set; }
}

public sealed class Post
{
    public required string Id { get; set; }
    /// <summary>Unique, derived from the first title; it does not change when the title does.</summary>
    public required string Slug { get; set; }
    public required string Title { get; set; }
    public string Summary { get; set; } = "";
    public string Body { get; set; } = "";
    /// <summary>Ordered, lower-case.</summary>
    public List<string> Tags { get; set; } = [];
    public string Status { get; set; } = PostStatus.Draft;
    public required string AuthorId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? PublishedAt { get; set; }
    /// <summary>Optimistic concurrency: every successful update increments it; an update names the version it read.</summary>
    public long Version { get; set; } = 1;
    /// <summary>Distinct lower-case words of title, summary and body (see <see cref="SearchTerms"/>): what <c>q</c> searches.</summary>
    public List<string> SearchTerms { get; set; } = [];
    /// <summary>Visible (not hidden) comments; kept up to date by the comment operations.</summary>
    public int CommentCount { get; set; }
}

public sealed class Comment
{
    public required string Id { get; set; }
    public required string PostId { get; set; }
    public required string AuthorId { get; set; }
    public required string Body { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public bool Hidden { get; set; }
}

public sealed class RefreshToken
{
    public required string Id { get; set; }
    /// <summary>SHA-256 of the opaque token, hex. The token itself is never stored.</summary>
    public required string TokenHash { get; set; }
    public required string UserId { get; set; }
    /// <summary>Every token issued by rotation from one sign-in shares a family (<see cref="RefreshFamily"/>); reuse revokes the whole family.</summary>
    public required string FamilyId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    /// <summary>When it was exchanged for a new pair (rotation); null while unused.</summary>
    public DateTime? ConsumedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

/// <summary>
/// One counter of sign-in attempts (see <see cref="ISignInAttemptStore"/>). <see cref="Id"/> is an opaque key chosen by
/// the caller (a hash naming the bucket and the time window), so no login or email is stored here.
/// </summary>
public sealed class SignInAttempt
{
    public required string Id { get; set; }
    public long Count { get; set; }
    /// <summary>When the window ends; the counter is deleted after it (TTL index on MongoDB, the sweeper on LiteDB).</summary>
    public DateTime ExpiresAt { get; set; }
}

/// <summary>
/// One sign-in: every refresh token rotated from it belongs to it. Its revocation is one write to one document, so a
/// refresh that races it can never leave a live token behind: every use of a token, and every access token request,
/// reads the family. It ends at <see cref="ExpiresAt"/> whatever the rotations (the absolute session lifetime).
/// </summary>
public sealed class RefreshFamily
{
    public required string Id { get; set; }
    public required string UserId { get; set; }
    /// <summary>The user's <see cref="User.SessionVersion"/> read with the password hash at sign-in.</summary>
    public long SessionVersion { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The absolute end of the sign-in (<c>Jwt:RefreshFamilyLifetime</c> after it); no token of it works later.</summary>
    public DateTime ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public sealed record PagedResult<T>(IReadOnlyList<T> Items, long Total);

public sealed record TagCount(string Tag, long Count);

public sealed record PostQuery
{
    /// <summary>published (ordered by PublishedAt, newest first) or draft (ordered by UpdatedAt, newest first).</summary>
    public string Status { get; init; } = PostStatus.Published;
    public string? Tag { get; init; }
    public string? AuthorId { get; init; }
    /// <summary>Normalised search terms (see <see cref="SearchTerms.Parse"/>); a post matches when it has all of them.</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = 10;
}

/// <summary>
/// The store cannot complete the operation now (for example every attempt of an account change lost to concurrent
/// ones); nothing was half-written, and the same request can be retried after <see cref="RetryAfter"/>. The API answers
/// 503 ProblemDetails with a <c>Retry-After</c> header.
/// </summary>
public sealed class StoreBusyException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>A unique key (username, email, slug, ...) is taken. <see cref="Field"/> is the request field it came from.</summary>
public sealed class DuplicateKeyException(string field) : Exception($"The {field} is already taken.")
{
    public string Field { get; } = field;
}

public enum AccountChangeResult
{
    Changed,
    NotFound,
    /// <summary>Refused: afterwards there would be no enabled Admin.</summary>
    LastAdmin,
}
