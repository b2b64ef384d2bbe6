namespace Blog.Api.Posts;

/// <summary>Page and page size of the post and comment lists, clamped to what the API serves.</summary>
internal static class ContentPaging
{
    /// <summary>The largest page size served; a larger request gets this many.</summary>
    public const int MaxPageSize = 50;

    /// <summary>Pages past this one are not served (they would only make the store skip millions of rows).</summary>
    public const int MaxPage = 10_000;

    public static (int Page, int PageSize) Clamp(int? page, int? pageSize, int defaultPageSize) =>
        (Math.Clamp(page ?? 1, 1, MaxPage), Math.Clamp(pageSize ?? defaultPageSize, 1, MaxPageSize));
}
