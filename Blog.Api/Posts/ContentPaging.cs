using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Blog.Api.Posts;

/// <summary>Page and page size of the post and comment lists: the page size clamped, the depth capped.</summary>
internal static class ContentPaging
{
    /// <summary>The largest page size served; a larger request gets this many.</summary>
    public const int MaxPageSize = 50;

    /// <summary>
    /// How many items a list skips at most: a page that would start past this gets 400. Skipping is a scan in both
    /// stores, so without a cap one anonymous request (<c>page=10000&amp;pageSize=50</c>) reads half a million rows.
    /// Older posts stay reachable through the tag, author and search filters, each with the same depth.
    /// </summary>
    public const int MaxDepth = 1_000;

    public static (int Page, int PageSize) Clamp(int? page, int? pageSize, int defaultPageSize) =>
        (Math.Max(page ?? 1, 1), Math.Clamp(pageSize ?? defaultPageSize, 1, MaxPageSize));

    /// <summary>True when the page starts past <see cref="MaxDepth"/>.</summary>
    public static bool IsTooDeep(int page, int pageSize) => (long)(page - 1) * pageSize >= MaxDepth;

    /// <summary>The deepest page served at this page size.</summary>
    public static int MaxPage(int pageSize) => ((MaxDepth - 1) / pageSize) + 1;

    /// <summary>The 400 for a page past the depth: names the field and the limit.</summary>
    public static ValidationProblem TooDeep(int pageSize) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]>
        {
            ["page"] =
            [
                string.Create(CultureInfo.InvariantCulture,
                    $"At most {MaxPage(pageSize)} with pageSize {pageSize}: lists go {MaxDepth} items deep. Narrow the list with tag, author or q."),
            ],
        });
}
