using Blog.Api.Caching;
using Blog.Api.Http;
using Blog.Api.Security;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Blog.Api.Comments;

public static class CommentsApi
{
    public static IEndpointRouteBuilder MapCommentsApi(this IEndpointRouteBuilder app)
    {
        // Comments exist only under a post the caller can see: on a draft nobody else can see, every call is a 404.
        var comments = app.MapGroup("/api/posts/{slug}/comments").WithTags("Comments");

        comments.MapGet("/", ListCommentsAsync)
            .WithName("ListComments")
            .WithSummary("Lists a post's comments, oldest first")
            .WithDescription("Hidden comments are listed only for Editors and Admins. pageSize is capped at 50; a page starting past the 1,000th comment gets 400.")
            .CacheOutputWithMissFilter(OutputCachePolicies.Comments)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        // Every write counts against the caller's write limit: each one evicts cache entries and costs a store write.
        var signedIn = comments.MapGroup("").RequireAuthorization(Policies.Authenticated).RequireRateLimiting(RateLimitPolicies.Writes)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        signedIn.MapPost("/", CreateCommentAsync)
            .WithName("CreateComment")
            .WithSummary("Comments on a post")
            .ProducesValidationProblem();

        signedIn.MapPut("/{id}", UpdateCommentAsync)
            .WithName("UpdateComment")
            .WithSummary("Edits the caller's own comment")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);

        signedIn.MapDelete("/{id}", DeleteCommentAsync)
            .WithName("DeleteComment")
            .WithSummary("Deletes a comment (its author, Editors and Admins)")
            .ProducesProblem(StatusCodes.Status403Forbidden);

        var moderation = comments.MapGroup("").RequireAuthorization(Policies.Editor).RequireRateLimiting(RateLimitPolicies.Writes)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        moderation.MapPost("/{id}/hide", HideCommentAsync)
            .WithName("HideComment")
            .WithSummary("Hides a comment from everyone but Editors and Admins");

        moderation.MapPost("/{id}/unhide", UnhideCommentAsync)
            .WithName("UnhideComment")
            .WithSummary("Shows a hidden comment again");

        return app;
    }

    private static async Task<Results<Ok<PageResponse<CommentResponse>>, NotFound, ValidationProblem>> ListCommentsAsync(
        string slug, [AsParameters] CommentListQuery query, [AsParameters] CommentServices services, HttpContext httpContext, CancellationToken ct)
    {
        var (page, pageSize) = Paging.Comments.Clamp(query.Page, query.PageSize);
        if (Paging.Comments.IsTooDeep(page, pageSize))
        {
            return Paging.Comments.TooDeep(pageSize);
        }

        var post = await services.Posts.FindVisibleAsync(slug, ct);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        var includeHidden = services.User.IsEditorOrAdmin;
        if (includeHidden || post.Status != PostStatus.Published)
        {
            httpContext.MarkCallerSpecific();
        }

        var result = await services.Store.ListAsync(post.Id, includeHidden, page, pageSize, ct);
        httpContext.AddCacheTags([CacheTags.Comments(post.Id), .. result.Items.Select(c => CacheTags.Author(c.AuthorId))]);
        var items = new List<CommentResponse>(result.Items.Count);
        foreach (var comment in result.Items)
        {
            items.Add(comment.AsResponse(await services.Authors.GetAsync(comment.AuthorId, ct)));
        }

        return TypedResults.Ok(new PageResponse<CommentResponse>(items, page, pageSize, result.Total));
    }

    private static async Task<Results<Created<CommentResponse>, NotFound>> CreateCommentAsync(
        string slug, CommentRequest request, [AsParameters] CommentServices services, CancellationToken ct)
    {
        var post = await services.Posts.FindVisibleAsync(slug, ct);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        var comment = new Comment
        {
            Id = DocumentIds.New(),
            PostId = post.Id,
            AuthorId = services.User.Id ?? throw new InvalidOperationException("The Authenticated policy admits only signed-in users."),
            Body = request.Body!.Trim(),
            CreatedAt = services.Clock.GetUtcNowForStorage(),
        };
        await services.Store.CreateAsync(comment, ct);
        await EvictAsync(services.Cache, post, countChanged: true);

        return TypedResults.Created(
            $"/api/posts/{post.Slug}/comments/{comment.Id}", comment.AsResponse(await services.Authors.GetAsync(comment.AuthorId, ct)));
    }

    private static async Task<Results<Ok<CommentResponse>, NotFound, ForbidHttpResult>> UpdateCommentAsync(
        string slug, string id, CommentRequest request, [AsParameters] CommentServices services, CancellationToken ct)
    {
        var (post, comment) = await FindVisibleAsync(services, slug, id, ct);
        if (post is null || comment is null)
        {
            return TypedResults.NotFound();
        }

        // Only the author edits a comment: moderators hide or delete, they do not put words in someone's mouth.
        if (!string.Equals(comment.AuthorId, services.User.Id, StringComparison.Ordinal))
        {
            return TypedResults.Forbid();
        }

        var body = request.Body!.Trim();
        var now = services.Clock.GetUtcNowForStorage();
        if (!await services.Store.UpdateBodyAsync(post.Id, comment.Id, body, now, ct))
        {
            return TypedResults.NotFound();
        }

        comment.Body = body;
        comment.UpdatedAt = now;
        await EvictAsync(services.Cache, post, countChanged: false);
        return TypedResults.Ok(comment.AsResponse(await services.Authors.GetAsync(comment.AuthorId, ct)));
    }

    private static async Task<Results<NoContent, NotFound, ForbidHttpResult>> DeleteCommentAsync(
        string slug, string id, [AsParameters] CommentServices services, CancellationToken ct)
    {
        var (post, comment) = await FindVisibleAsync(services, slug, id, ct);
        if (post is null || comment is null)
        {
            return TypedResults.NotFound();
        }

        if (!string.Equals(comment.AuthorId, services.User.Id, StringComparison.Ordinal) && !services.User.IsEditorOrAdmin)
        {
            return TypedResults.Forbid();
        }

        if (!await services.Store.DeleteAsync(post.Id, comment.Id, ct))
        {
            return TypedResults.NotFound();
        }

        await EvictAsync(services.Cache, post, countChanged: true);
        return TypedResults.NoContent();
    }

    private static Task<Results<Ok<CommentResponse>, NotFound>> HideCommentAsync(
        string slug, string id, [AsParameters] CommentServices services, CancellationToken ct) =>
        SetHiddenAsync(slug, id, hidden: true, services, ct);

    private static Task<Results<Ok<CommentResponse>, NotFound>> UnhideCommentAsync(
        string slug, string id, [AsParameters] CommentServices services, CancellationToken ct) =>
        SetHiddenAsync(slug, id, hidden: false, services, ct);

    private static async Task<Results<Ok<CommentResponse>, NotFound>> SetHiddenAsync(
        string slug, string id, bool hidden, CommentServices services, CancellationToken ct)
    {
        var (post, comment) = await FindVisibleAsync(services, slug, id, ct);
        if (post is null || comment is null || !await services.Store.SetHiddenAsync(post.Id, comment.Id, hidden, ct))
        {
            return TypedResults.NotFound();
        }

        comment.Hidden = hidden;
        await EvictAsync(services.Cache, post, countChanged: true);
        return TypedResults.Ok(comment.AsResponse(await services.Authors.GetAsync(comment.AuthorId, ct)));
    }

    /// <summary>The post and comment, when the caller may see both: a hidden comment exists only for Editors and Admins.</summary>
    private static async Task<(Post? Post, Comment? Comment)> FindVisibleAsync(
        CommentServices services, string slug, string id, CancellationToken ct)
    {
        var post = await services.Posts.FindVisibleAsync(slug, ct);
        if (post is null)
        {
            return (null, null);
        }

        var comment = await services.Store.FindAsync(post.Id, id, ct);
        return (post, comment is not null && (!comment.Hidden || services.User.IsEditorOrAdmin) ? comment : null);
    }

    // The post's comment pages, and when its comment count changed, the post and the list pages showing its summary.
    // A draft's comments are in no cached response.
    private static Task EvictAsync(OutputCacheEvictor cache, Post post, bool countChanged) =>
        post.Status != PostStatus.Published ? Task.CompletedTask
            : countChanged ? cache.EvictAsync(CacheTags.Comments(post.Id), CacheTags.Post(post.Id))
            : cache.EvictAsync(CacheTags.Comments(post.Id));
}
