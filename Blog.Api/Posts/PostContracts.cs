using System.ComponentModel.DataAnnotations;
using Blog.Api.Storage;
using Blog.Api.Users;

namespace Blog.Api.Posts;

// Request and response records of the posts API (docs/api-contract.md). Storage documents never leave the API.

public sealed record PostSummary(
    string Id,
    string Slug,
    string Title,
    string Summary,
    IReadOnlyList<string> Tags,
    string Status,
    AuthorRef Author,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? PublishedAt,
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
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? PublishedAt,
    int CommentCount,
    long Version,
    string Body);

/// <summary>Limits of a post's fields; the same for create and update.</summary>
public static class PostLimits
{
    public const int TitleMaxLength = 200;
    public const int SummaryMaxLength = 500;
    public const int BodyMaxLength = 100_000;
}

/// <summary>What a writer sends for a post, on create and on update.</summary>
public abstract record PostContentRequest
{
    [Required, StringLength(PostLimits.TitleMaxLength)]
    public string? Title { get; init; }

    [StringLength(PostLimits.SummaryMaxLength)]
    public string? Summary { get; init; }

    [StringLength(PostLimits.BodyMaxLength)]
    public string? Body { get; init; }

    [PostTags]
    public IReadOnlyList<string?>? Tags { get; init; }
}

public sealed record CreatePostRequest : PostContentRequest
{
    /// <summary>True publishes at once; otherwise the post starts as a draft.</summary>
    public bool? Publish { get; init; }
}

public sealed record UpdatePostRequest : PostContentRequest;

/// <summary>Query string of <c>GET /api/posts</c>.</summary>
public sealed record PostListQuery(int? Page, int? PageSize, string? Tag, string? Author, string? Q, string? Status);

/// <summary>Query string of <c>GET /api/users/me/posts</c>.</summary>
public sealed record MyPostsQuery(int? Page, int? PageSize, string? Status);

internal static class PostMapping
{
    public static PostSummary AsSummary(this Post post, AuthorRef author) => new(
        post.Id, post.Slug, post.Title, post.Summary, post.Tags, post.Status, author,
        post.CreatedAt.AsUtc(), post.UpdatedAt.AsUtc(), post.PublishedAt?.AsUtc(), post.CommentCount, post.Version);

    public static PostResponse AsResponse(this Post post, AuthorRef author) => new(
        post.Id, post.Slug, post.Title, post.Summary, post.Tags, post.Status, author,
        post.CreatedAt.AsUtc(), post.UpdatedAt.AsUtc(), post.PublishedAt?.AsUtc(), post.CommentCount, post.Version,
        post.Body);

    /// <summary>Sets the fields a client may write (the stores derive the rest, such as the search terms, on write).</summary>
    public static void Apply(this Post post, string title, string? summary, string? body, IEnumerable<string?>? tags, DateTime now)
    {
        post.Title = title.Trim();
        post.Summary = summary?.Trim() ?? "";
        post.Body = body ?? "";
        post.Tags = PostTags.Normalize(tags);
        post.UpdatedAt = now;
    }
}
