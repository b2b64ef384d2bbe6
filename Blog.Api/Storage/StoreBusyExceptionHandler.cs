using System.Globalization;
using Blog.Api.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace Blog.Api.Storage;

/// <summary>
/// <see cref="StoreBusyException"/> from any endpoint becomes 503 ProblemDetails with <c>Retry-After</c> (whole seconds,
/// at least 1): the store wrote nothing half-way, so the client may simply repeat the request. Never a 500.
/// </summary>
internal sealed class StoreBusyExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not StoreBusyException busy || context.Response.HasStarted)
        {
            return false;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(busy.RetryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ProblemResponses.WriteAsync(
            context,
            StatusCodes.Status503ServiceUnavailable,
            $"The storage is busy with concurrent changes; nothing was changed. Try again in {seconds} s.");
        return true;
    }
}
