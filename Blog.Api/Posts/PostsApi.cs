using System.Globalization;
using System.Security.Cryptography;
using Blog.Api.Caching;
using Blog.Api.Http;
using Blog.Api.Security;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Blog.Api.Posts;

public static class PostsApi
{
    // "title", "title-2", ... "title-10", then a random suffix: a popular title costs at most a dozen round trips.
    private const int SequentialSlugAttempts = 10;
    private const int RandomSlugAttempts = 5;

    public static IEndpointRouteBuilder MapPostsApi(this IEndpointRouteBuilder app)
    {
        var posts = app.MapGroup("/api/posts").WithTags("Posts");

        posts.MapGet("/", ListPostsAsync)
            .WithName("ListPosts")
            .WithSummary("Lists published posts, newest first")
            .WithDescription("Filters: tag, author (username), q (all of these whole words in title, summary or body). " +
                "status=draft lists every draft (Editors and Admins only). pageSize is capped at 50; a page starting past the 1,000th post gets 400.")
            .CacheOutputWithMissFilter(OutputCachePolicies.PostList);

        posts.MapGet("/{slug}", GetPostAsync)
            .WithName("GetPost")
            .WithSummary("Gets a post with its body; the ETag header carries its version")
            .WithDescription("A draft is visible only to its author, Editors and Admins; for everyone else it does not exist (404).")
            .CacheOutputWithMissFilter(OutputCachePolicies.Post);

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
                "again returns to its original place in the list. Publishing a published post changes nothing.");

        authoring.MapPost("/{slug}/unpublish", UnpublishPostAsync)
            .WithName("UnpublishPost")
            .WithSummary("Turns a published post back into a draft")
            .WithDescription("publishedAt is kept (see PublishPost). Unpublishing a draft changes nothing.");

        var mine = app.MapGroup("/api/users/me/posts").WithTags("Posts").RequireAuthorization(Policies.Authenticated)
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        mine.MapGet("/", ListMyPostsAsync)
            .WithName("ListMyPosts")
            .WithSummary("Lists the caller's own posts")
            .WithDescription("status=published (the default; newest published first) or status=draft (most recently updated first).");

        return app;
    }

    public static async Task<Results<Ok<PageResponse<PostSummary>>, ValidationProblem, ChallengeHttpResult, ForbidHttpResult>> ListPostsAsync(
        [AsParameters] PostListQuery query,
        IPostStore posts,
        IUserStore users,
        Authors authors,
        CurrentUser user,
        HttpContext httpContext,
        CancellationToken ct)
    {
        if (ParseStatus(query.Status) is not { } status)
        {
            return InvalidStatus();
        }

        if (status == PostStatus.Draft)
        {
            if (!user.IsAuthenticated)
            {
                return TypedResults.Challenge();
            }

            if (!user.IsEditorOrAdmin)
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

            authors.Remember(author);
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

        var result = await posts.ListAsync(new PostQuery
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
        return TypedResults.Ok(await ToPageAsync(result, page, pageSize, authors, ct));
    }

    public static async Task<Results<Ok<PostResponse>, NotFound>> GetPostAsync(
        string slug, IPostStore posts, Authors authors, CurrentUser user, HttpContext httpContext, CancellationToken ct)
    {
        var post = await FindVisibleAsync(posts, slug, user, ct);
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
        return TypedResults.Ok(post.AsResponse(await authors.GetAsync(post.AuthorId, ct)));
    }

    public static async Task<Created<PostResponse>> CreatePostAsync(
        CreatePostRequest request,
        IPostStore posts,
        Authors authors,
        CurrentUser user,
        OutputCacheEvictor cache,
        TimeProvider clock,
        HttpContext httpContext,
        CancellationToken ct)
    {
        var now = clock.GetUtcNowForStorage();
        var publish = request.Publish == true;
        var post = new Post
        {
            Id = DocumentIds.New(),
            Slug = "",
            Title = "",
            AuthorId = user.Id ?? throw new InvalidOperationException("The Author policy admits only signed-in users."),
            CreatedAt = now,
            Status = publish ? PostStatus.Published : PostStatus.Draft,
            PublishedAt = publish ? now : null,
        };
        post.Apply(request.Title!, request.Summary, request.Body, request.Tags, now);

        await CreateWithUniqueSlugAsync(posts, post, ct);
        if (publish)
        {
            await cache.EvictAsync(CacheTags.PostLists, CacheTags.Tags);
        }
        else
        {
            httpContext.MarkCallerSpecific();
        }

        httpContext.Response.Headers.ETag = post.ETag();
        return TypedResults.Created($"/api/posts/{post.Slug}", post.AsResponse(await authors.GetAsync(post.AuthorId, ct)));
    }

    public static async Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> UpdatePostAsync(
        string slug,
        UpdatePostRequest request,
        IPostStore posts,
        Authors authors,
        CurrentUser user,
        OutputCacheEvictor cache,
        TimeProvider clock,
        HttpContext httpContext,
        CancellationToken ct)
    {
        var post = await FindVisibleAsync(posts, slug, user, ct);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        if (!user.CanManagePost(post.AuthorId))
        {
            return TypedResults.Forbid();
        }

        var ifMatch = httpContext.Request.Headers.IfMatch;
        if (!TryParseIfMatch(ifMatch, out var expectedVersions))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status428PreconditionRequired,
                detail: "Send If-Match with the ETag of the post you edited (GET /api/posts/{slug} returns it).");
        }

        if (!expectedVersions.Contains(post.Version))
        {
            return Stale(post);
        }

        var expectedVersion = post.Version;
        var (tagsBefore, termsBefore) = (post.Tags.ToList(), post.SearchTerms.ToList());
        post.Apply(request.Title!, request.Summary, request.Body, request.Tags, clock.GetUtcNowForStorage());
        if (!await posts.UpdateAsync(post, expectedVersion, ct))
        {
            // Someone else's write got in between our read and our compare-and-swap.
            var current = await posts.FindByIdAsync(post.Id, ct);
            return current is null ? TypedResults.NotFound() : Stale(current);
        }

        if (post.Status == PostStatus.Published)
        {
            // A draft is in no cached response. A published post: itself and the list pages showing it; the tag lists
            // it joined or left; the search lists if its words changed (it may now match other queries).
            var changedTags = tagsBefore.Union(post.Tags).Except(tagsBefore.Intersect(post.Tags)).ToList();
            await cache.EvictAsync([
                CacheTags.Post(post.Id),
                .. changedTags.Select(CacheTags.TagList),
                .. changedTags.Count > 0 ? [CacheTags.Tags] : Array.Empty<string>(),
                .. termsBefore.ToHashSet().SetEquals(post.SearchTerms) ? [] : new[] { CacheTags.SearchLists },
            ]);
        }

        if (post.Status != PostStatus.Published)
        {
            httpContext.MarkCallerSpecific();
        }

        httpContext.Response.Headers.ETag = post.ETag();
        return TypedResults.Ok(post.AsResponse(await authors.GetAsync(post.AuthorId, ct)));
    }

    public static async Task<Results<NoContent, NotFound, ForbidHttpResult, ProblemHttpResult>> DeletePostAsync(
        string slug, IPostStore posts, CurrentUser user, OutputCacheEvictor cache, HttpContext httpContext, CancellationToken ct)
    {
        var post = await FindVisibleAsync(posts, slug, user, ct);
        if (post is null)
        {
            return TypedResults.NotFound();
        }

        if (!user.CanManagePost(post.AuthorId))
        {
            return TypedResults.Forbid();
        }

        if (TryParseIfMatch(httpContext.Request.Headers.IfMatch, out var expectedVersions) && !expectedVersions.Contains(post.Version))
        {
            return Stale(post);
        }

        if (!await posts.DeleteAsync(post.Id, ct))
        {
            return TypedResults.NotFound();
        }

        await cache.EvictAsync(post.Status == PostStatus.Published
            ? [CacheTags.Post(post.Id), CacheTags.Comments(post.Id), CacheTags.PostLists, CacheTags.Tags]
            : [CacheTags.Post(post.Id), CacheTags.Comments(post.Id)]);
        return TypedResults.NoContent();
    }

    public static Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> PublishPostAsync(
        string slug, IPostStore posts, Authors authors, CurrentUser user, OutputCacheEvictor cache, TimeProvider clock,
        HttpContext httpContext, CancellationToken ct) =>
        ChangeStatusAsync(slug, PostStatus.Published, posts, authors, user, cache, clock, httpContext, ct);

    public static Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> UnpublishPostAsync(
        string slug, IPostStore posts, Authors authors, CurrentUser user, OutputCacheEvictor cache, TimeProvider clock,
        HttpContext httpContext, CancellationToken ct) =>
        ChangeStatusAsync(slug, PostStatus.Draft, posts, authors, user, cache, clock, httpContext, ct);

    public static async Task<Results<Ok<PageResponse<PostSummary>>, ValidationProblem>> ListMyPostsAsync(
        [AsParameters] MyPostsQuery query, IPostStore posts, Authors authors, CurrentUser user, HttpContext httpContext, CancellationToken ct)
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
        var result = await posts.ListAsync(new PostQuery
        {
            Status = status,
            AuthorId = user.Id ?? throw new InvalidOperationException("The Authenticated policy admits only signed-in users."),
            Page = page,
            PageSize = pageSize,
        }, ct);

        return TypedResults.Ok(await ToPageAsync(result, page, pageSize, authors, ct));
    }

    /// <summary>The post, when the caller may see it: published, or a draft the caller manages (its author, Editors, Admins).</summary>
    internal static async Task<Post?> FindVisibleAsync(IPostStore posts, string slug, CurrentUser user, CancellationToken ct)
    {
        // Slugs are lower-case; so is the output cache's view of paths (it ignores their case).
        return Visible(await posts.FindBySlugAsync(slug.ToLowerInvariant(), ct), user);
    }

    private static Post? Visible(Post? post, CurrentUser user) =>
        post is not null && (post.Status == PostStatus.Published || user.CanManagePost(post.AuthorId)) ? post : null;

    private static async Task<Results<Ok<PostResponse>, NotFound, ForbidHttpResult, ProblemHttpResult>> ChangeStatusAsync(
        string slug,
        string status,
        IPostStore posts,
        Authors authors,
        CurrentUser user,
        OutputCacheEvictor cache,
        TimeProvider clock,
        HttpContext httpContext,
        CancellationToken ct)
    {
        // A compare-and-swap loop: a concurrent edit moves the version on, and we retry on the fresh post, read by id
        // (a concurrent publish or unpublish changes the slug).
        string? postId = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var post = postId is null ? await FindVisibleAsync(posts, slug, user, ct) : Visible(await posts.FindByIdAsync(postId, ct), user);
            if (post is null)
            {
                return TypedResults.NotFound();
            }

            postId = post.Id;

            if (!user.CanManagePost(post.AuthorId))
            {
                return TypedResults.Forbid();
            }

            if (post.Status != status)
            {
                var now = clock.GetUtcNowForStorage();
                var expectedVersion = post.Version;
                post.Status = status;
                post.UpdatedAt = now;
                post.PublishedAt ??= status == PostStatus.Published ? now : null;
                if (!await UpdateStatusAsync(posts, post, expectedVersion, ct))
                {
                    continue;
                }

                // The post appears in or disappears from every list, the tag cloud, and its comment pages open or close.
                await cache.EvictAsync(CacheTags.Post(post.Id), CacheTags.Comments(post.Id), CacheTags.PostLists, CacheTags.Tags);
            }

            if (post.Status != PostStatus.Published)
            {
                httpContext.MarkCallerSpecific();
            }

            httpContext.Response.Headers.ETag = post.ETag();
            return TypedResults.Ok(post.AsResponse(await authors.GetAsync(post.AuthorId, ct)));
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            detail: "The post is being changed by others right now; try again.");
    }

    /// <summary>
    /// Stores a new post: a draft under a private random slug (<see cref="Slugs.ForDraft"/>), a published post under
    /// the first free public slug. Either way the answer depends on published posts only, never on another author's
    /// drafts (which hold no public slug).
    /// </summary>
    private static async Task CreateWithUniqueSlugAsync(IPostStore posts, Post post, CancellationToken ct)
    {
        var baseSlug = Slugs.FromTitle(post.Title);
        for (var attempt = 1; ; attempt++)
        {
            post.Slug = post.Status == PostStatus.Published ? PublicSlugCandidate(baseSlug, attempt) : Slugs.ForDraft(baseSlug);
            try
            {
                await posts.CreateAsync(post, ct);
                return;
            }
            catch (DuplicateKeyException e) when (e.Field == "slug" && attempt < SequentialSlugAttempts + RandomSlugAttempts)
            {
            }
        }
    }

    private static string PublicSlugCandidate(string baseSlug, int attempt) => attempt switch
    {
        1 => baseSlug,
        <= SequentialSlugAttempts => Slugs.WithSuffix(baseSlug, attempt),
        _ => Slugs.WithSuffix(baseSlug, RandomNumberGenerator.GetInt32(11, 1_000_000)),
    };

    /// <summary>
    /// Writes a status change with the slug that goes with it: publishing a post that has a draft slug gives it the
    /// first free public slug on the same base, unpublishing gives it a draft slug again (its public one is free for
    /// others: no answer may tell that a hidden post had it). The unique slug index settles two publishes racing for
    /// one slug, in both stores: the loser's update throws <see cref="DuplicateKeyException"/> and tries the next.
    /// False when the version moved on (nothing written).
    /// </summary>
    private static async Task<bool> UpdateStatusAsync(IPostStore posts, Post post, long expectedVersion, CancellationToken ct)
    {
        var baseSlug = Slugs.BaseOf(post.Slug);
        var publishing = post.Status == PostStatus.Published;
        if (publishing && !Slugs.IsDraft(post.Slug))
        {
            // A post published before drafts had private slugs: it keeps the one it has.
            return await posts.UpdateAsync(post, expectedVersion, ct);
        }

        for (var attempt = 1; ; attempt++)
        {
            post.Slug = publishing ? PublicSlugCandidate(baseSlug, attempt) : Slugs.ForDraft(baseSlug);
            post.Version = expectedVersion;
            try
            {
                return await posts.UpdateAsync(post, expectedVersion, ct);
            }
            catch (DuplicateKeyException e) when (e.Field == "slug" && attempt < SequentialSlugAttempts + RandomSlugAttempts)
            {
            }
        }
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

    /// <summary>The versions an If-Match header names; false when it names none (absent, empty, <c>*</c> or only weak tags).</summary>
    /// <remarks><c>*</c> ("any version") is refused on purpose: it would turn the lost-update check off.</remarks>
    private static bool TryParseIfMatch(Microsoft.Extensions.Primitives.StringValues header, out HashSet<long> versions)
    {
        versions = [];
        if (header.Count == 0 || !EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            return false;
        }

        foreach (var tag in tags)
        {
            // RFC 9110: If-Match compares strongly; a weak tag never matches. A garbage tag names an impossible version.
            if (!tag.IsWeak && !tag.Equals(EntityTagHeaderValue.Any))
            {
                versions.Add(long.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1);
            }
        }

        return versions.Count > 0;
    }

    private static ProblemHttpResult Stale(Post current) => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        detail: $"The post has changed since you read it (it is now at version {current.Version}). Reload it and apply your edit again.");

}
