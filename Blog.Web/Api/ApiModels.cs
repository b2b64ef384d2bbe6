namespace Blog.Web.Api;

// The API's response and request shapes (docs/api-contract.md). JSON is camelCase; times are UTC.

/// <summary><see cref="DeviceToken"/>: on sign-in and registration, kept in <c>DeviceCookie</c>.</summary>
public sealed record AuthResponse(UserResponse User, string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, string? DeviceToken = null);

public sealed record UserResponse(
    string Id,
    string Username,
    string Email,
    string DisplayName,
    string? Bio,
    string Role,
    DateTimeOffset CreatedAt,
    bool Disabled);

public sealed record ProfileResponse(string Username, string DisplayName, string? Bio, string Role, DateTimeOffset CreatedAt);

public sealed record AuthorRef(string Username, string DisplayName);

public sealed record PostSummary(
    string Id,
    string Slug,
    string Title,
    string Summary,
    IReadOnlyList<string> Tags,
    string Status,
    AuthorRef Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt,
    int CommentCount,
    long Version);

public sealed record PostResponse(
    string Id,
    string Slug,
    string Title,
    string Summary,
    IReadOnlyList<string> Tags,
    string Status,
    AuthorRef Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt,
    int CommentCount,
    long Version,
    string Body);

public sealed record CommentResponse(
    string Id,
    string Body,
    AuthorRef Author,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    bool Hidden);

public sealed record TagResponse(string Tag, long Count);

public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total)
{
    /// <summary>How deep the API pages its lists (Blog.Api's Paging.Posts and Paging.Comments MaxDepth): pages past it get 400, so the pager stops there.</summary>
    public const int MaxDepth = 1_000;

    public int PageCount => PageSize <= 0 ? 1 : (int)Math.Clamp((Total + PageSize - 1) / PageSize, 1, ((MaxDepth - 1) / PageSize) + 1);
    public bool HasPrevious => Page > 1;
    public bool HasNext => Page < PageCount;
}

public sealed record RegisterRequest(string Username, string Email, string Password, string? DisplayName);
public sealed record LoginRequest(string Login, string Password, string? DeviceToken = null);
public sealed record RefreshRequest(string RefreshToken);
public sealed record UpdateProfileRequest(string DisplayName, string? Bio);
public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword, string? DeviceToken = null);
public sealed record ChangeRoleRequest(string Role);
public sealed record CreatePostRequest(string Title, string Summary, string Body, IReadOnlyList<string> Tags, bool Publish);
public sealed record UpdatePostRequest(string Title, string Summary, string Body, IReadOnlyList<string> Tags);
public sealed record CommentRequest(string Body);

/// <summary>The query of <c>GET /api/posts</c>.</summary>
public sealed record PostListQuery(int Page = 1, int PageSize = 10, string? Tag = null, string? Author = null, string? Q = null, string? Status = null);

public static class Roles
{
    public const string Reader = "Reader";
    public const string Author = "Author";
    public const string Editor = "Editor";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Reader, Author, Editor, Admin];

    /// <summary>Comma lists for <c>[Authorize(Roles = ...)]</c>.</summary>
    public const string Writers = "Author,Editor,Admin";
    public const string Moderators = "Editor,Admin";
}
