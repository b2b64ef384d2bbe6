using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Blog.Api.Http;

internal static class ProblemDetailsSetup
{
    /// <summary>
    /// ProblemDetails for every error. .NET 10's built-in validation keys <c>errors</c> by C# member names
    /// ("DisplayName") while clients send and read JSON ("displayName"): every validation problem is re-keyed with the
    /// app's JSON naming policy, segment by segment ("Items[0].Name" -> "items[0].name"), until the framework does it
    /// itself (dotnet/aspnetcore#61764). 429s get the RFC 6585 type, which the framework's defaults lack; 413s say the limit.
    /// </summary>
    public static void AddBlogProblemDetails(this IHostApplicationBuilder builder) =>
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails.Status == StatusCodes.Status429TooManyRequests)
            {
                context.ProblemDetails.Type ??= "https://tools.ietf.org/html/rfc6585#section-4";
            }

            // Kestrel's own refusal of a chunked body over the limit arrives here as a bare 413.
            if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
            {
                context.ProblemDetails.Detail ??= RequestLimits.TooLargeDetail;
            }

            if (context.ProblemDetails is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
            {
                var policy = context.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>()
                    .Value.SerializerOptions.PropertyNamingPolicy;
                if (policy is not null)
                {
                    validation.Errors = Rekey(validation.Errors, policy);
                }
            }
        });

    private static Dictionary<string, string[]> Rekey(IDictionary<string, string[]> errors, JsonNamingPolicy policy)
    {
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, messages) in errors)
        {
            var name = string.Join('.', key.Split('.').Select(segment => ConvertSegment(segment, policy)));
            result[name] = result.TryGetValue(name, out var existing) ? [.. existing, .. messages] : messages;
        }

        return result;
    }

    // "Items[0]" -> "items[0]": the index stays as it is.
    private static string ConvertSegment(string segment, JsonNamingPolicy policy)
    {
        var bracket = segment.IndexOf('[', StringComparison.Ordinal);
        return bracket switch
        {
            0 => segment,
            > 0 => policy.ConvertName(segment[..bracket]) + segment[bracket..],
            _ => segment.Length == 0 ? segment : policy.ConvertName(segment),
        };
    }
}
