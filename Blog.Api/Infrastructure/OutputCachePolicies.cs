using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Net.Http.Headers;

namespace Blog.Api;

/// <summary>
/// Names of the output cache policies on the public GET endpoints, and the coarse tags that writes evict.
/// </summary>
/// <remarks>
/// A public response is the same for every caller, so it is served from the shared cache whether or not the request
/// carries a token (the framework's default policy refuses requests with an Authorization header; ours does not).
/// A response that depends on the caller is never stored: the endpoint calls
/// <see cref="OutputCacheHttpContextExtensions.MarkCallerSpecific"/> (drafts, hidden comments, lists of drafts), and
/// the comment list is bypassed entirely for Editors and Admins (they see hidden comments).
/// Entries live <see cref="BlogOutputCacheOptions.ExpirationSeconds"/> (60 s by default): the bound on staleness when
/// an eviction fails (Redis unreachable at the moment of a write), and for the one race eviction cannot close: a read
/// that loaded the old data before the write and stores it after the eviction.
/// </remarks>
public static class OutputCachePolicies
{
    /// <summary><c>GET /api/posts</c>: varies by the list's query parameters.</summary>
    public const string PostList = "post-list";

    /// <summary><c>GET /api/posts/{slug}</c>.</summary>
    public const string Post = "post";

    /// <summary><c>GET /api/posts/{slug}/comments</c>: bypassed for Editors and Admins.</summary>
    public const string Comments = "comments";

    /// <summary><c>GET /api/tags</c>.</summary>
    public const string Tags = "tags";

    /// <summary><c>GET /api/users/{username}</c> (public profiles). Evict <see cref="CacheTags.Users"/> on profile changes.</summary>
    public const string Profile = "profile";

    internal static void AddTo(OutputCacheOptions options, BlogOutputCacheOptions settings)
    {
        var expiration = TimeSpan.FromSeconds(settings.ExpirationSeconds);
        options.DefaultExpirationTimeSpan = expiration;

        options.AddPolicy(PostList, new PublicResponsePolicy(
            settings, [CacheTags.Posts], ["page", "pageSize", "tag", "author", "q", "status"], bypassForEditors: false));
        options.AddPolicy(Post, new PublicResponsePolicy(settings, [CacheTags.Posts], [], bypassForEditors: false));
        options.AddPolicy(Comments, new PublicResponsePolicy(
            settings, [CacheTags.Comments], ["page", "pageSize"], bypassForEditors: true));
        options.AddPolicy(Tags, new PublicResponsePolicy(settings, [CacheTags.Tags], [], bypassForEditors: false));
        options.AddPolicy(Profile, new PublicResponsePolicy(settings, [CacheTags.Users], [], bypassForEditors: false));
    }
}

/// <summary>The coarse output cache tags. A write evicts every tag whose responses it may change.</summary>
public static class CacheTags
{
    /// <summary>Post lists and single posts (including their comment counts and author names).</summary>
    public const string Posts = "posts";

    /// <summary>Comment lists.</summary>
    public const string Comments = "comments";

    /// <summary>The tag cloud.</summary>
    public const string Tags = "tags";

    /// <summary>Public profiles.</summary>
    public const string Users = "users";
}

/// <summary>Configuration section <c>Blog:OutputCache</c>.</summary>
public sealed class BlogOutputCacheOptions
{
    public const string SectionName = "Blog:OutputCache";

    /// <summary>False turns output caching off (every request runs the endpoint); for diagnostics and the benchmark's uncached run.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long an entry lives: also how stale a response can be after a write whose eviction failed.</summary>
    public int ExpirationSeconds { get; set; } = 60;
}

public static class OutputCacheHttpContextExtensions
{
    /// <summary>
    /// Marks the response as depending on the caller: it is not stored in the shared output cache, and
    /// <c>Cache-Control: private, no-store</c> keeps proxies and browsers from sharing it too.
    /// Call it before the response starts.
    /// </summary>
    public static void MarkCallerSpecific(this HttpContext httpContext)
    {
        if (httpContext.Features.Get<IOutputCacheFeature>() is { } feature)
        {
            feature.Context.AllowCacheStorage = false;
        }

        httpContext.Response.Headers.CacheControl = "private, no-store";
    }
}

/// <summary>
/// Caches GET/HEAD 200 responses for everyone, with or without a token, tagged for eviction. Never stores a response
/// marked caller-specific (by <see cref="OutputCacheHttpContextExtensions.MarkCallerSpecific"/> or a
/// <c>private</c>/<c>no-store</c> Cache-Control) or one that sets a cookie.
/// </summary>
internal sealed class PublicResponsePolicy(
    BlogOutputCacheOptions settings, string[] tags, string[] varyByQuery, bool bypassForEditors) : IOutputCachePolicy
{
    private readonly TimeSpan _expiration = TimeSpan.FromSeconds(settings.ExpirationSeconds);

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var httpContext = context.HttpContext;
        var method = httpContext.Request.Method;
        var enabled = settings.Enabled
            && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
            && !(bypassForEditors && httpContext.RequestServices.GetRequiredService<CurrentUser>().IsEditorOrAdmin);

        context.EnableOutputCaching = enabled;
        context.AllowCacheLookup = enabled;
        context.AllowCacheStorage = enabled;
        // No request coalescing: concurrent misses each run the endpoint, so no response computed for one caller
        // is ever handed to another, whatever it turned out to be.
        context.AllowLocking = false;
        context.ResponseExpirationTimeSpan = _expiration;
        context.CacheVaryByRules.QueryKeys = varyByQuery;
        // Callers reach the API by different names (service discovery, localhost, a proxy): one entry serves them all.
        context.CacheVaryByRules.VaryByHost = false;
        foreach (var tag in tags)
        {
            context.Tags.Add(tag);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK
            || response.Headers.SetCookie.Count > 0
            || IsPrivate(response.Headers.CacheControl))
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsPrivate(Microsoft.Extensions.Primitives.StringValues cacheControl) =>
        CacheControlHeaderValue.TryParse(cacheControl.ToString(), out var value) && (value.Private || value.NoStore);
}
