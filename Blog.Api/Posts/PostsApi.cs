using Blog.Api.Caching;
using Blog.Api.Http;
using Blog.Api.Security;
using Blog.Api.Storage;
using Blog.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Blog.Api.Posts;

public static class PostsApi
{
    public static IEndpointRouteBuilder MapPostsApi(this IEndpointRouteBuilder app)
    {
        var posts = app.MapGroup("/api/posts").WithTags("Posts");

        posts.MapGet("/", ListPostsAsync)
            .WithName("ListPosts")
            .WithSummary("Lists published posts, newest first")
            .WithDescription("Filters: tag, author (username), q (all of these whole words in title, summary or body). " +
                "status=draft lists every draft (Editors and Admins only). pageSize is capped at 50; a page starting past the 1,000th post gets 400.")
            .CacheOutputWithMissFilter(OutputCachePolicies.PostList)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        posts.MapGet("/{slug}", GetPostAsync)
            .WithName("GetPost")
            .WithSummary("Gets a post with its body; the ETag header carries its version")
            .WithDescription("A draft is visible only to its author, Editors and Admins; for everyone else it does not exist (404).")
            .CacheOutputWithMissFilter(OutputCachePolicies.Post)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        // Every write counts against the caller's write limit: each one evicts cache entries and costs a store write.
        var authoring = posts.MapGroup("").RequireAuthorization(Policies.Author).RequireRateLimiting(RateLimitPolicies.Writes)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        authoring.MapPost("/", CreatePostAsync)
            .WithName("CreatePost")
            .WithSummary("Creates a post (a draft unless publish is true)")
            .WithDescription("The slug comes from the title and never changes; a taken slug gets -2, -3, ... appended.")
            .ProducesValidationProblem();

        authoring.MapPut("/{slug}", UpdatePostAsync)
            .WithName("UpdatePost")
            .WithSummary("Replaces a post's title, summary, body and tags")
            .WithDescription("Requires If-Match with the ETag read from the post: 428 without it, 412 when the post changed since.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);

        authoring.MapDelete("/{slug}", DeletePostAsync)
            .WithName("DeletePost")
            .WithSummary("Deletes a post and its comments")
            .WithDescription("An If-Match header is optional here; when sent, a stale one gets 412.")
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        authoring.MapPost("/{slug}/publish", PublishPostAsync)
            .WithName("PublishPost")
            .WithSummary("Publishes a post")
            .WithDescription("publishedAt is set on the first publication and kept afterwards: a post unpublished and published " +
                "again returns to its original place in the list. Publishing a published post changes nothing.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        authoring.MapPost("/{slug}/unpublish", UnpublishPostAsync)
            .WithName("UnpublishPost")
            .WithSummary("Turns a published post back into a draft")
            .WithDescription("publishedAt is kept (see PublishPost). Unpublishing a draft changes nothing.")
            .ProducesProblem(StatusCodes.Status409Conflict);

        var mine = app.MapGroup("/api/users/me/posts").WithTags("Posts").RequireAuthorization(Policies.Authenticated)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        mine.MapGet("/", ListMyPostsAsync)
            .WithName("ListMyPosts")
            .WithSummary("Lists the caller's own posts")
            .WithDescription("status=published (the default; newest published first) or status=draft (most recently updated first).");

        return app;
    }

    private static async Task<Results<Ok<PageResponse<PostSummary>>, ValidationProblem, ChallengeHttpResult, ForbidHttpResult>> ListPostsAsync(
        [AsParameters] PostListQuery query, [AsParameters] PostServices services, IUserStore users, HttpContext httpContext, CancellationToken ct)
    {
        if (ParseStatus(query.Status) is not { } status)
        {
            return InvalidStatus();
        }

        if (status == PostStatus.Draft)
        {
            if (!services.User.IsAuthenticated)
            {
                return TypedResults.Challenge();
            }

            if (!services.User.IsEditorOrAdmin)
            {
                return TypedResults.Forbid();
            }

            httpContext.MarkCallerSpecific();
        }

        var (page, pageSize) = Paging.Posts.Clamp(query.Page, query.PageSize);
        if (Paging.Posts.IsTooDeep(page, pageSize))
        {
            return Paging.Posts.TooDeep(pageSize);
        }

        // Every list changes when the set of published posts does; the filtered ones also when a post's text or tags do.
        httpContext.AddCacheTags(CacheTags.PostLists);
        string? authorId = null;
        if (!string.IsNullOrWhiteSpace(query.Author))
        {
            var author = await users.FindByUsernameAsync(query.Author.Trim(), ct);
            if (author is null)
            {
                return TypedResults.Ok(new PageResponse<PostSummary>([], page, pageSize, 0));
            }

            services.Authors.Remember(author);
            authorId = author.Id;
        }

        var tag = PostTags.Normalize(query.Tag);
        var terms = SearchTerms.Parse(query.Q);
        if (!string.IsNullOrEmpty(tag))
        {
            httpContext.AddCacheTags(CacheTags.TagList(tag));
        }

        if (terms.Count > 0)
        {
            httpContext.AddCacheTags(CacheTags.SearchLists);
        }

        var result = await services.Store.ListAsync(new PostQuery
        {
            Status = status,
            Tag = string.IsNullOrEmpty(tag) ? null : tag,
            AuthorId = authorId,
            Terms = terms,
            Page = page,
            PageSize = pageSize,
        }, ct);

        // The page shows each post's summary and its author's name.
        httpContext.AddCacheTags(result.Items.SelectMany(p => new[] { CacheTags.Post(p.Id), CacheTags.Author(p.AuthorId) }));
        return TypedResults.Ok(await ToPageAsync(result, page, pageSize, services.Authors, ct));
    }

    private static async Task<Results<Ok<PostResponse>, NotFound>> GetPostAsync(
        string slug, [AsParameters] PostServices services, HttpContext httpContext, CancellationToken ct)
    {
        var post = await services.Access.FindVisibleAsync(slug, ct);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        if (post.Status != PostStatus.Published)
        {
            httpContext.MarkCallerSpecific();
        }

        httpContext.AddCacheTags(CacheTags.Post(post.Id), CacheTags.Author(post.AuthorId));
        httpContext.Response.Headers.ETag = post.ETag();
        return TypedResults.Ok(post.AsResponse(await services.Authors.GetAsync(post.AuthorId, ct)));
    }

    private static async Task<Created<PostResponse>> CreatePostAsync(
        CreatePostRequest request, [AsParameters] PostServices services, HttpContext httpContext, CancellationToken ct)
    {
        var post = services.Publishing.New(
            services.User.Id ?? throw new InvalidOperationException("The Author policy admits only signed-in users."),
            publish: request.Publish == true);
        post.Apply(request.Title!, request.Summary, request.Body, request.Tags, post.CreatedAt);

        await services.Publishing.CreateAsync(post, ct);
        if (post.Status == PostStatus.Published)
        {
            await services.Cache.EvictAsync(CacheTags.PostLists, CacheTags.Tags);
        }
        else
        {
            httpContext.MarkCallerSpecific();
        }

        httpContext.Response.Headers.ETag = post.ETag();
        return TypedResults.Created($"/api/posts/{post.Slug}", post.AsResponse(await services.Authors.GetAsync(post.AuthorId, ct)));
    }

    private static async Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> UpdatePostAsync(
        string slug, UpdatePostRequest request, [AsParameters] PostServices services, HttpContext httpContext, CancellationToken ct)
    {
        var post = await services.Access.FindVisibleAsync(slug, ct);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        if (!services.Access.CanManage(post))
        {
            return TypedResults.Forbid();
        }

        var ifMatch = httpContext.Request.IfMatch();
        if (!ifMatch.NamesAVersion)
        {
            return PostVersions.Required();
        }

        if (!ifMatch.Matches(post))
        {
            return PostVersions.Stale(post);
        }

        var expectedVersion = post.Version;
        // The words of the text decide which searches match; reads leave the stored search terms out, so compare the text.
        var (tagsBefore, textBefore) = (post.Tags.ToList(), (post.Title, post.Summary, post.Body));
        post.Apply(request.Title!, request.Summary, request.Body, request.Tags, services.Clock.GetUtcNowForStorage());
        if (!await services.Store.UpdateAsync(post, expectedVersion, ct))
        {
            // Someone else's write got in between our read and our compare-and-swap.
            var current = await services.Store.FindByIdAsync(post.Id, ct);
            return current is null ? TypedResults.NotFound() : PostVersions.Stale(current);
        }

        if (post.Status == PostStatus.Published)
        {
            // A draft is in no cached response. A published post: itself and the list pages showing it; the tag lists
            // it joined or left; the search lists if its words changed (it may now match other queries).
            var changedTags = tagsBefore.Union(post.Tags).Except(tagsBefore.Intersect(post.Tags)).ToList();
            await services.Cache.EvictAsync([
                CacheTags.Post(post.Id),
                .. changedTags.Select(CacheTags.TagList),
                .. changedTags.Count > 0 ? [CacheTags.Tags] : Array.Empty<string>(),
                .. textBefore == (post.Title, post.Summary, post.Body) ? [] : new[] { CacheTags.SearchLists },
            ]);
        }

        if (post.Status != PostStatus.Published)
        {
            httpContext.MarkCallerSpecific();
        }

        httpContext.Response.Headers.ETag = post.ETag();
        return TypedResults.Ok(post.AsResponse(await services.Authors.GetAsync(post.AuthorId, ct)));
    }

    private static async Task<Results<NoContent, NotFound, ForbidHttpResult, ProblemHttpResult>> DeletePostAsync(
        string slug, [AsParameters] PostServices services, HttpContext httpContext, CancellationToken ct)
    {
        var post = await services.Access.FindVisibleAsync(slug, ct);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        if (!services.Access.CanManage(post))
        {
            return TypedResults.Forbid();
        }

        // Optional here: deleting names no content that a stale read could overwrite.
        var ifMatch = httpContext.Request.IfMatch();
        if (ifMatch.NamesAVersion && !ifMatch.Matches(post))
        {
            return PostVersions.Stale(post);
        }

        if (!await services.Store.DeleteAsync(post.Id, ct))
        {
            return TypedResults.NotFound();
        }

        await services.Cache.EvictAsync(post.Status == PostStatus.Published
            ? [CacheTags.Post(post.Id), CacheTags.Comments(post.Id), CacheTags.PostLists, CacheTags.Tags]
            : [CacheTags.Post(post.Id), CacheTags.Comments(post.Id)]);
        return TypedResults.NoContent();
    }

    private static Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> PublishPostAsync(
        string slug, [AsParameters] PostServices services, HttpContext httpContext, CancellationToken ct) =>
        ChangeStatusAsync(slug, PostStatus.Published, services, httpContext, ct);

    private static Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> UnpublishPostAsync(
        string slug, [AsParameters] PostServices services, HttpContext httpContext, CancellationToken ct) =>
        ChangeStatusAsync(slug, PostStatus.Draft, services, httpContext, ct);

    private static async Task<Results<Ok<PageResponse<PostSummary>>, ValidationProblem>> ListMyPostsAsync(
        [AsParameters] MyPostsQuery query, [AsParameters] PostServices services, HttpContext httpContext, CancellationToken ct)
    {
        if (ParseStatus(query.Status) is not { } status)
        {
            return InvalidStatus();
        }

        httpContext.MarkCallerSpecific();
        var (page, pageSize) = Paging.Posts.Clamp(query.Page, query.PageSize);
        if (Paging.Posts.IsTooDeep(page, pageSize))
        {
            return Paging.Posts.TooDeep(pageSize);
        }
        var result = await services.Store.ListAsync(new PostQuery
        {
            Status = status,
            AuthorId = services.User.Id ?? throw new InvalidOperationException("The Authenticated policy admits only signed-in users."),
            Page = page,
            PageSize = pageSize,
        }, ct);

        return TypedResults.Ok(await ToPageAsync(result, page, pageSize, services.Authors, ct));
    }

    private static async Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> ChangeStatusAsync(
        string slug, string status, PostServices services, HttpContext httpContext, CancellationToken ct)
    {
        // A compare-and-swap loop: a concurrent edit moves the version on, and we retry on the fresh post, read by id
        // (a concurrent publish or unpublish changes the slug).
        string? postId = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var post = postId is null ? await services.Access.FindVisibleAsync(slug, ct) : await services.Access.FindVisibleByIdAsync(postId, ct);
            if (post is null)
            {
                return TypedResults.NotFound();
            }

            postId = post.Id;

            if (!services.Access.CanManage(post))
            {
                return TypedResults.Forbid();
            }

            if (post.Status != status)
            {
                if (!await services.Publishing.TryChangeStatusAsync(post, status, ct))
                {
                    continue;
                }

                // The post appears in or disappears from every list, the tag cloud, and its comment pages open or close.
                await services.Cache.EvictAsync(CacheTags.Post(post.Id), CacheTags.Comments(post.Id), CacheTags.PostLists, CacheTags.Tags);
            }

            if (post.Status != PostStatus.Published)
            {
                httpContext.MarkCallerSpecific();
            }

            httpContext.Response.Headers.ETag = post.ETag();
            return TypedResults.Ok(post.AsResponse(await services.Authors.GetAsync(post.AuthorId, ct)));
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            detail: "The post is being changed by others right now; try again.");
    }

    private static async Task<PageResponse<PostSummary>> ToPageAsync(
        PagedResult<Post> result, int page, int pageSize, Authors authors, CancellationToken ct)
    {
        var items = new List<PostSummary>(result.Items.Count);
        foreach (var post in result.Items)
        {
            items.Add(post.AsSummary(await authors.GetAsync(post.AuthorId, ct)));
        }

        return new PageResponse<PostSummary>(items, page, pageSize, result.Total);
    }

    internal static string? ParseStatus(string? status) => status?.Trim().ToLowerInvariant() switch
    {
        null or "" or PostStatus.Published => PostStatus.Published,
        PostStatus.Draft => PostStatus.Draft,
        _ => null,
    };

    private static ValidationProblem InvalidStatus() => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { ["status"] = [$"Must be '{PostStatus.Published}' or '{PostStatus.Draft}'."] });
}
