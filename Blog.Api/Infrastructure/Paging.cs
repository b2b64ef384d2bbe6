namespace Blog.Api;

/// <summary>One page of a list, as every list endpoint returns it.</summary>
public sealed record PagedList<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary>Page and page size as a client may send them, clamped to what the API serves.</summary>
internal static class Paging
{
    /// <summary>The largest page size served; a larger request gets this many.</summary>
    public const int MaxPageSize = 50;

    /// <summary>Pages past this one are not served (they would only make the store skip millions of rows).</summary>
    public const int MaxPage = 10_000;

    public static (int Page, int PageSize) Clamp(int? page, int? pageSize, int defaultPageSize) =>
        (Math.Clamp(page ?? 1, 1, MaxPage), Math.Clamp(pageSize ?? defaultPageSize, 1, MaxPageSize));
}
