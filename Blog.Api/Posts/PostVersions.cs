using System.Globalization;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Blog.Api.Posts;

/// <summary>
/// A post's version as its HTTP entity tag, and the If-Match check of the writes that guards against lost updates
/// (RFC 9110 13.1.1): an edit must name the version it was made on.
/// </summary>
public static class PostVersions
{
    /// <summary>The post's entity tag: its version, quoted.</summary>
    public static string ETag(this Post post) => $"\"{post.Version}\"";

    /// <summary>The versions the request's If-Match header names.</summary>
    public static IfMatch IfMatch(this HttpRequest request) => Posts.IfMatch.Parse(request.Headers.IfMatch);

    /// <summary>428: an edit that names no version.</summary>
    public static ProblemHttpResult Required() => TypedResults.Problem(
        statusCode: StatusCodes.Status428PreconditionRequired,
        detail: "Send If-Match with the ETag of the post you edited (GET /api/posts/{slug} returns it).");

    /// <summary>412: the post moved on since the version the caller names.</summary>
    public static ProblemHttpResult Stale(Post current) => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        detail: $"The post has changed since you read it (it is now at version {current.Version}). Reload it and apply your edit again.");
}

/// <summary>The versions an If-Match header names; none when it is absent, empty, <c>*</c> or only weak tags.</summary>
/// <remarks><c>*</c> ("any version") is refused on purpose: it would turn the lost-update check off.</remarks>
public sealed class IfMatch
{
    private readonly HashSet<long> _versions;

    private IfMatch(HashSet<long> versions) => _versions = versions;

    /// <summary>False when the header names no version at all.</summary>
    public bool NamesAVersion => _versions.Count > 0;

    public bool Matches(Post post) => _versions.Contains(post.Version);

    public static IfMatch Parse(StringValues header)
    {
        var versions = new HashSet<long>();
        if (header.Count > 0 && EntityTagHeaderValue.TryParseList(header, out var tags))
        {
            foreach (var tag in tags)
            {
                // RFC 9110: If-Match compares strongly; a weak tag never matches. A garbage tag names an impossible version.
                if (!tag.IsWeak && !tag.Equals(EntityTagHeaderValue.Any))
                {
                    versions.Add(long.TryParse(tag.Tag.AsSpan().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1);
                }
            }
        }

        return new IfMatch(versions);
    }
}
