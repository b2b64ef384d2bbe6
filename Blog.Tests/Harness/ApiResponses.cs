using Blog.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Blog.Tests.Harness;

/// <summary>Reading what the API answered: typed bodies, RFC 9457 problems, caching headers.</summary>
internal static class ApiResponses
{
    /// <summary>Asserts an RFC 9457 body with the response's status and returns it.</summary>
    public static async Task<ProblemDetails> ReadProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
        Assert.NotNull(problem);
        Assert.Equal((int)response.StatusCode, problem.Status);
        return problem;
    }

    /// <summary>Asserts a 400 validation problem and returns its errors, keyed as the server keyed them.</summary>
    public static async Task<IDictionary<string, string[]>> ReadValidationErrorsAsync(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(Ct);
        Assert.NotNull(problem);
        return problem.Errors;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var value = await response.Content.ReadFromJsonAsync<T>(Ct);
        Assert.NotNull(value);
        return value;
    }

    public static async Task<PageResponse<T>> ReadPageAsync<T>(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<PageResponse<T>>();
    }

    /// <summary>True when the output cache answered: only a cached response carries <c>Age</c>.</summary>
    public static bool IsFromCache(this HttpResponseMessage response) => response.Headers.Age is not null;

    public static string ETagOf(this HttpResponseMessage response) =>
        response.Headers.ETag?.ToString() ?? throw new InvalidOperationException("No ETag header.");

    public static bool IsPrivate(this HttpResponseMessage response) =>
        response.Headers.CacheControl is { Private: true } or { NoStore: true };
}
