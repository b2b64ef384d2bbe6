using Blog.Api.Caching;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Blog.Api.Tags;

public sealed record TagResponse(string Tag, long Count);

public static class TagsApi
{
    public static IEndpointRouteBuilder MapTagsApi(this IEndpointRouteBuilder app)
    {
        var tags = app.MapGroup("/api/tags").WithTags("Tags");

        tags.MapGet("/", ListTagsAsync)
            .WithName("ListTags")
            .WithSummary("Lists the tags of published posts with their counts, most used first")
            .CacheOutputWithMissFilter(OutputCachePolicies.Tags)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return app;
    }

    private static async Task<Ok<TagResponse[]>> ListTagsAsync(IPostStore posts, HttpContext httpContext, CancellationToken ct)
    {
        httpContext.AddCacheTags(CacheTags.Tags);
        var counts = await posts.GetTagCountsAsync(ct);
        return TypedResults.Ok(counts.Select(c => new TagResponse(c.Tag, c.Count)).ToArray());
    }
}
