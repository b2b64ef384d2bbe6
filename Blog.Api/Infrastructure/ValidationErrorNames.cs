using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Blog.Api;

/// <summary>
/// .NET 10's built-in validation keys <c>errors</c> by C# member names ("DisplayName"); clients sent and read JSON
/// ("displayName"). This re-keys every validation problem with the app's JSON naming policy, segment by segment
/// ("Items[0].Name" -> "items[0].name"), until the framework does it itself (dotnet/aspnetcore#61764).
/// </summary>
internal static class ValidationErrorNames
{
    public static void AddBlogProblemDetails(this IHostApplicationBuilder builder) =>
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
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
