using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Blog.Api.Http;

/// <summary>
/// The one paging rule of every list endpoint: page from 1, the page size defaulted and clamped into range instead of
/// refused, and (where a list is public) a depth past which a page gets 400. The presets are each list's limits.
/// </summary>
/// <param name="MaxDepth">
/// How many items a list skips at most, or null for no cap. Skipping is a scan in both stores, so without a cap one
/// anonymous request (<c>page=10000&amp;pageSize=50</c>) reads half a million rows. Older posts stay reachable through
/// the tag, author and search filters, each with the same depth.
/// </param>
public sealed record Paging(int DefaultPageSize, int MaxPageSize, int? MaxDepth)
{
    /// <summary>Post lists: the public list, an author's, a tag's, a search, one's own.</summary>
    public static readonly Paging Posts = new(DefaultPageSize: 10, MaxPageSize: 50, MaxDepth: 1_000);

    /// <summary>A post's comments.</summary>
    public static readonly Paging Comments = new(DefaultPageSize: 20, MaxPageSize: 50, MaxDepth: 1_000);

    /// <summary>The Admins' user list (signed-in Admins only, so not capped in depth).</summary>
    public static readonly Paging Users = new(DefaultPageSize: 20, MaxPageSize: 100, MaxDepth: null);

    public (int Page, int PageSize) Clamp(int? page, int? pageSize) =>
        (Math.Max(page ?? 1, 1), Math.Clamp(pageSize ?? DefaultPageSize, 1, MaxPageSize));

    /// <summary>True when the page starts past <see cref="MaxDepth"/>.</summary>
    public bool IsTooDeep(int page, int pageSize) => MaxDepth is { } depth && (long)(page - 1) * pageSize >= depth;

    /// <summary>The 400 for a page past the depth: names the field and the limit.</summary>
    public ValidationProblem TooDeep(int pageSize) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]>
        {
            ["page"] =
            [
                string.Create(CultureInfo.InvariantCulture,
                    $"At most {((MaxDepth - 1) / pageSize) + 1} with pageSize {pageSize}: lists go {MaxDepth} items deep. Narrow the list with tag, author or q."),
            ],
        });
}
