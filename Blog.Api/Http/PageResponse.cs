namespace Blog.Api.Http;

/// <summary>One page of a list: the contract's <c>Page&lt;T&gt;</c> ({items, page, pageSize, total}).</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary>Paging arguments as every list endpoint reads them: page from 1, page size defaulted and capped.</summary>
public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <summary>Clamps what the client asked for into range instead of refusing it.</summary>
    public static (int Page, int PageSize) Normalize(int? page, int? pageSize) =>
        (Math.Max(1, page ?? 1), Math.Clamp(pageSize ?? DefaultPageSize, 1, MaxPageSize));
}
