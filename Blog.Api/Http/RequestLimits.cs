using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Blog.Api.Http;

/// <summary>
/// Request bodies are limited to <see cref="MaxRequestBodyBytes"/> (256 KiB: a long post in Markdown fits many times);
/// a larger body gets 413 ProblemDetails. Bad requests (malformed JSON, a missing body, a wrong content type) get their
/// 4xx as ProblemDetails instead of a 500 or an empty body.
/// </summary>
internal static class RequestLimits
{
    public const long MaxRequestBodyBytes = 256 * 1024;

    public static readonly string TooLargeDetail = $"The request body is larger than the limit of {MaxRequestBodyBytes} bytes.";

    public static void AddBlogRequestLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        // Binding failures throw BadHttpRequestException (instead of a bare 400) so that BadRequestExceptionHandler
        // turns them into ProblemDetails in every environment.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
    }

    /// <summary>
    /// Refuses a declared Content-Length over the limit before anything reads the body (Kestrel enforces the same limit
    /// on chunked bodies while they are read; hosts without it, like the test server, rely on this check).
    /// </summary>
    public static IApplicationBuilder UseBlogRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, TooLargeDetail);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = MaxRequestBodyBytes;
        }

        await next(context);
    });

    private sealed class BadRequestExceptionHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            if (exception is not Microsoft.AspNetCore.Http.BadHttpRequestException bad || context.Response.HasStarted)
            {
                return false;
            }

            var detail = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => TooLargeDetail,
                StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
                StatusCodes.Status400BadRequest when bad.InnerException is System.Text.Json.JsonException =>
                    "The request body is not valid JSON for this endpoint.",
                StatusCodes.Status400BadRequest => "The request is malformed or misses a required part.",
                _ => "The request could not be processed.",
            };
            await ProblemResponses.WriteAsync(context, bad.StatusCode, detail);
            return true;
        }
    }
}
