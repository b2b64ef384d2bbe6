using System.Globalization;
using Blog.Api.Http;
using Blog.Api.Posts;
using Blog.Api.Security;
using Blog.Api.Storage;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Net.Http.Headers;

namespace Blog.Api.Caching;

/// <summary>
/// Names of the output cache policies on the public GET endpoints. The tags they store with each entry are
/// <see cref="CacheTags"/>; a write evicts exactly the tags whose responses it may change.
/// </summary>
/// <remarks>
/// A public response is the same for every caller, so it is served from the shared cache whether or not the request
/// carries a token (the framework's default policy refuses requests with an Authorization header; ours does not).
/// A response that depends on the caller is never stored: the endpoint calls
/// <see cref="OutputCacheHttpContextExtensions.MarkCallerSpecific"/> (drafts, hidden comments, lists of drafts), and
/// the comment list is bypassed entirely for Editors and Admins (they see hidden comments).
/// The key of an entry is built from the parsed, normalised query (<see cref="CanonicalQueries"/>), never from the raw
/// query string, so <c>pageSize=7</c>, <c>07</c> and <c>007</c>, or unknown parameters, share one entry.
/// Entries live <see cref="BlogOutputCacheOptions.ExpirationSeconds"/> (60 s by default); tag generations
/// (<see cref="OutputCacheGenerations"/>) keep an entry from being stored or served once a write evicted one of its tags.
/// </remarks>
public static class OutputCachePolicies
{
    /// <summary><c>GET /api/posts</c>: keyed by the list's parsed query.</summary>
    public const string PostList = "post-list";

    /// <summary><c>GET /api/posts/{slug}</c>.</summary>
    public const string Post = "post";

    /// <summary><c>GET /api/posts/{slug}/comments</c>: bypassed for Editors and Admins.</summary>
    public const string Comments = "comments";

    /// <summary><c>GET /api/tags</c>.</summary>
    public const string Tags = "tags";

    /// <summary><c>GET /api/users/{username}</c> (public profiles).</summary>
    public const string Profile = "profile";

    internal static void AddTo(OutputCacheOptions options, BlogOutputCacheOptions settings)
    {
        options.DefaultExpirationTimeSpan = TimeSpan.FromSeconds(settings.ExpirationSeconds);

        options.AddPolicy(PostList, new PublicResponsePolicy(settings, CanonicalQueries.PostList, bypassForEditors: false));
        options.AddPolicy(Post, new PublicResponsePolicy(settings, CanonicalQueries.None, bypassForEditors: false));
        options.AddPolicy(Comments, new PublicResponsePolicy(settings, CanonicalQueries.CommentPaging, bypassForEditors: true));
        options.AddPolicy(Tags, new PublicResponsePolicy(settings, CanonicalQueries.None, bypassForEditors: false));
        options.AddPolicy(Profile, new PublicResponsePolicy(settings, CanonicalQueries.None, bypassForEditors: false));
    }

    /// <summary>
    /// Caches the endpoint's GET responses with the named policy, and runs <see cref="OutputCacheMissFilter"/> whenever
    /// the handler runs (a miss): the per-client read limit and the generation the entry will be checked against.
    /// </summary>
    public static RouteHandlerBuilder CacheOutputWithMissFilter(this RouteHandlerBuilder builder, string policyName) =>
        builder.CacheOutput(policyName).AddEndpointFilter<OutputCacheMissFilter>();
}

/// <summary>
/// The tag vocabulary of every cache built from the API's public responses (the API's output cache, and any later
/// cache of pages or feeds made from them). Each entry carries the tags of everything it shows; each write evicts
/// the tags of what it changed. See docs/caching.md for the table of which write evicts what.
/// </summary>
public static class CacheTags
{
    /// <summary>Every page of <c>GET /api/posts</c>: evicted when the set or order of published posts changes.</summary>
    public const string PostLists = "list:posts";

    /// <summary>Pages of <c>GET /api/posts?q=</c>: evicted when a published post's text changes (it may match other words).</summary>
    public const string SearchLists = "list:search";

    /// <summary>The tag cloud, <c>GET /api/tags</c>.</summary>
    public const string Tags = "tags";

    /// <summary>Pages of <c>GET /api/posts?tag={tag}</c>: evicted when a published post gains or loses that tag.</summary>
    public static string TagList(string tag) => $"list:tag:{tag}";

    /// <summary>A post (<c>GET /api/posts/{slug}</c>) and every list page that shows its summary.</summary>
    public static string Post(string postId) => $"post:{postId}";

    /// <summary>The comment pages of a post.</summary>
    public static string Comments(string postId) => $"comments:{postId}";

    /// <summary>
    /// Every response that shows the user's display name: their posts, list pages with their posts, comment pages with
    /// their comments, and their profile. Evicted when the display name changes.
    /// </summary>
    public static string Author(string userId) => $"author:{userId}";

    /// <summary>The public profile <c>GET /api/users/{username}</c> (bio, role).</summary>
    public static string User(string username) => $"user:{username.ToLowerInvariant()}";
}

/// <summary>Configuration section <c>Blog:OutputCache</c>.</summary>
public sealed class BlogOutputCacheOptions
{
    public const string SectionName = "Blog:OutputCache";

    /// <summary>False turns output caching off (every request runs the endpoint); for diagnostics and the benchmark's uncached run.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long an entry lives.</summary>
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

    /// <summary>Adds <see cref="CacheTags"/> of what the response shows to the entry it may be stored as.</summary>
    public static void AddCacheTags(this HttpContext httpContext, params IEnumerable<string> tags)
    {
        if (httpContext.Features.Get<IOutputCacheFeature>() is { } feature)
        {
            feature.Context.Tags.UnionWith(tags);
        }
    }
}

/// <summary>
/// Cache keys from parsed values: each parameter is read the way its endpoint binds it, then normalised the way the
/// endpoint uses it (page size clamped, tag and author lower-case, search words sorted), and unknown parameters are
/// left out. Returns false when the query does not parse or asks past the paging depth: the endpoint answers 400 and
/// nothing is looked up or stored. Values are escaped, so no value can forge another key.
/// </summary>
internal delegate bool CanonicalQuery(HttpRequest request, IDictionary<string, string> key);

internal static class CanonicalQueries
{
    /// <summary>No query parameter changes the response.</summary>
    public static bool None(HttpRequest request, IDictionary<string, string> key) => true;

    /// <summary><c>page</c> and <c>pageSize</c> of the comment list.</summary>
    public static bool CommentPaging(HttpRequest request, IDictionary<string, string> key) =>
        TryPaging(request, key, Paging.Comments);

    /// <summary><c>page</c>, <c>pageSize</c>, <c>tag</c>, <c>author</c>, <c>q</c> and <c>status</c> of the post list.</summary>
    public static bool PostList(HttpRequest request, IDictionary<string, string> key)
    {
        if (!TryPaging(request, key, Paging.Posts))
        {
            return false;
        }

        key["status"] = Escape(PostsApi.ParseStatus(Text(request, "status")) ?? "invalid");
        key["tag"] = Escape(PostTags.Normalize(Text(request, "tag")) ?? "");
        key["author"] = Escape(Text(request, "author")?.Trim().ToLowerInvariant() ?? "");
        // The list matches posts with all of the words, so their order and repetitions do not matter.
        key["q"] = string.Join('+', SearchTerms.Parse(Text(request, "q")).Order(StringComparer.Ordinal).Select(Escape));
        return true;
    }

    private static bool TryPaging(HttpRequest request, IDictionary<string, string> key, Paging paging)
    {
        if (!TryInt(request, "page", out var page) || !TryInt(request, "pageSize", out var pageSize))
        {
            return false;
        }

        var (p, size) = paging.Clamp(page, pageSize);
        if (paging.IsTooDeep(p, size))
        {
            return false;
        }

        key["page"] = p.ToString(CultureInfo.InvariantCulture);
        key["pageSize"] = size.ToString(CultureInfo.InvariantCulture);
        return true;
    }

    private static bool TryInt(HttpRequest request, string name, out int? value)
    {
        value = null;
        var raw = request.Query[name];
        if (raw.Count == 0)
        {
            return true;
        }

        // Minimal APIs bind an int? from the comma-joined values with this parse, so the key and the response agree.
        if (!int.TryParse(raw.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return false;
        }

        value = parsed;
        return true;
    }

    private static string? Text(HttpRequest request, string name) => request.Query[name] is { Count: > 0 } raw ? raw.ToString() : null;

    private static string Escape(string value) => Uri.EscapeDataString(value);
}

/// <summary>
/// Caches GET/HEAD 200 responses for everyone, with or without a token, tagged for eviction, keyed by the path and
/// the canonical query. Never stores a response marked caller-specific (by
/// <see cref="OutputCacheHttpContextExtensions.MarkCallerSpecific"/> or a <c>private</c>/<c>no-store</c>
/// Cache-Control) or one that sets a cookie.
/// </summary>
internal sealed class PublicResponsePolicy(BlogOutputCacheOptions settings, CanonicalQuery canonicalQuery, bool bypassForEditors)
    : IOutputCachePolicy
{
    private readonly TimeSpan _expiration = TimeSpan.FromSeconds(settings.ExpirationSeconds);

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var httpContext = context.HttpContext;
        var method = httpContext.Request.Method;
        var enabled = settings.Enabled
            && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
            && !(bypassForEditors && httpContext.RequestServices.GetRequiredService<CurrentUser>().IsEditorOrAdmin)
            && canonicalQuery(httpContext.Request, context.CacheVaryByRules.VaryByValues);

        context.EnableOutputCaching = enabled;
        context.AllowCacheLookup = enabled;
        context.AllowCacheStorage = enabled;
        // No request coalescing: concurrent misses each run the endpoint, so no response computed for one caller
        // is ever handed to another, whatever it turned out to be.
        context.AllowLocking = false;
        context.ResponseExpirationTimeSpan = _expiration;
        // The raw query is not part of the key: the canonical values above are.
        context.CacheVaryByRules.QueryKeys = default;
        // Callers reach the API by different names (service discovery, localhost, a proxy): one entry serves them all.
        context.CacheVaryByRules.VaryByHost = false;
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
