using Microsoft.AspNetCore.Mvc;

namespace Blog.Api.Http;

/// <summary>Writes an RFC 9457 body from middleware (outside an endpoint) through the app's <see cref="IProblemDetailsService"/>.</summary>
internal static class ProblemResponses
{
    public static async Task WriteAsync(HttpContext context, int status, string detail, Action<ProblemDetails>? configure = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Detail = detail };
        configure?.Invoke(problem);
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        // False only when the client accepts no JSON at all: the status code then has to do.
        await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
