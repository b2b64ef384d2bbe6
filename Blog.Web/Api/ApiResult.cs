using System.Net;
using System.Text.Json;

namespace Blog.Web.Api;

/// <summary>An error answer of the API (RFC 9457 ProblemDetails), with validation errors keyed by camelCase field.</summary>
public sealed record ApiProblem(HttpStatusCode Status, string? Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    /// <summary>The validation messages for one request field (camelCase, case-insensitive), empty when none.</summary>
    public IReadOnlyList<string> For(string field) =>
        Errors.FirstOrDefault(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).Value ?? [];

    /// <summary>A sentence for the user: the detail, else the title, else a generic line for the status.</summary>
    public string Message => Detail ?? Title ?? Status switch
    {
        HttpStatusCode.Unauthorized => "Please sign in again.",
        HttpStatusCode.Forbidden => "You are not allowed to do that.",
        HttpStatusCode.NotFound => "Not found.",
        HttpStatusCode.TooManyRequests => "Too many attempts. Please wait a moment and try again.",
        _ => "Something went wrong. Please try again.",
    };

    internal static async Task<ApiProblem> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? title = null, detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!string.IsNullOrWhiteSpace(text))
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    title = GetString(root, "title");
                    detail = GetString(root, "detail");
                    if (root.TryGetProperty("errors", out var errs) && errs.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var field in errs.EnumerateObject())
                        {
                            errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                ? [.. field.Value.EnumerateArray().Select(v => v.ToString())]
                                : [field.Value.ToString()];
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not ProblemDetails (e.g. a proxy's error page): the status alone has to do.
        }

        return new ApiProblem(response.StatusCode, title, detail, errors);
    }

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>What an API call gave: a value, or a problem. A post's version is its body's <c>version</c>, sent back as If-Match.</summary>
public sealed record ApiResult<T>(T? Value, ApiProblem? Problem)
{
    public bool IsSuccess => Problem is null;
    public HttpStatusCode? Status => Problem?.Status;
}

/// <summary>The API could not be reached or did not answer in time: pages say the blog is temporarily unavailable.</summary>
public sealed class ApiUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
