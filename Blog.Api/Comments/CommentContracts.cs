using System.ComponentModel.DataAnnotations;
using Blog.Api.Storage;
using Blog.Api.Users;

namespace Blog.Api.Comments;

public sealed record CommentResponse(string Id, string Body, AuthorRef Author, DateTime CreatedAt, DateTime? UpdatedAt, bool Hidden);

public static class CommentLimits
{
    public const int BodyMaxLength = 5_000;
}

/// <summary>Body of <c>POST</c> and <c>PUT /api/posts/{slug}/comments...</c>: plain text or Markdown.</summary>
public sealed record CommentRequest
{
    [Required, StringLength(CommentLimits.BodyMaxLength)]
    public string? Body { get; init; }
}

/// <summary>Query string of <c>GET /api/posts/{slug}/comments</c>.</summary>
public sealed record CommentListQuery(int? Page, int? PageSize);

internal static class CommentMapping
{
    public static CommentResponse AsResponse(this Comment comment, AuthorRef author) =>
        new(comment.Id, comment.Body, author, comment.CreatedAt.AsUtc(), comment.UpdatedAt?.AsUtc(), comment.Hidden);
}
