using System.Threading.RateLimiting;
using Blog.Api.Security;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace Blog.Api.Caching;

/// <summary>
/// Runs only when a cached endpoint's handler runs, that is on a miss (or for a caller the cache is bypassed for):
/// counts the request against the caller's read limit (<see cref="RateLimitOptions.Reads"/>: per user, per client IP
/// for anonymous callers), so that a page served from the cache is never throttled while minting misses is; then
/// reads the cache generation before the handler reads any data (see <see cref="OutputCacheGenerations"/>).
/// </summary>
internal sealed class OutputCacheMissFilter(ReadMissLimiter limiter, OutputCacheGenerations generations) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var httpContext = context.HttpContext;
        using var lease = limiter.Acquire(httpContext);
        if (!lease.IsAcquired)
        {
            await RateLimitingExtensions.RejectAsync(httpContext, lease);
            return Results.Empty;
        }

        if (httpContext.Features.Get<IOutputCacheFeature>() is { Context.AllowCacheStorage: true } feature)
        {
            if (await generations.CurrentAsync(httpContext.RequestAborted) is { } generation)
            {
                feature.Context.Tags.Add(GenerationCheckingOutputCacheStore.Stamp(generation));
            }
            else
            {
                // Without a generation the entry could not be checked later: answer, do not store.
                feature.Context.AllowCacheStorage = false;
            }
        }

        return await next(context);
    }
}

/// <summary>The read limit of <see cref="OutputCacheMissFilter"/>: fixed windows per caller, in this replica's memory.</summary>
internal sealed class ReadMissLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        RateLimitPartition.GetFixedWindowLimiter(RateLimitingExtensions.CallerPartition(context), _ => RateLimitingExtensions.Window(options.Value.Reads)));

    public RateLimitLease Acquire(HttpContext context) => _limiter.AttemptAcquire(context);

    public void Dispose() => _limiter.Dispose();
}
