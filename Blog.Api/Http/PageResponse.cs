namespace Blog.Api.Http;

/// <summary>One page of a list: the contract's <c>Page&lt;T&gt;</c> ({items, page, pageSize, total}).</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);
