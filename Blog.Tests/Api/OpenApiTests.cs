using System.Text.Json;
using Blog.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;

namespace Blog.Tests.Api;

public sealed class OpenApiTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    /// <summary>
    /// Every endpoint the API maps and describes, by name: a new endpoint is checked without being listed here (one
    /// without a name fails <see cref="EveryDescribedEndpointHasAName"/>).
    /// </summary>
    public static TheoryData<string> DescribedEndpoints()
    {
        using var factory = new BlogApiFactory();
        return [.. Described(factory).Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName).OfType<string>()];
    }

    [Fact]
    public void EveryDescribedEndpointHasAName()
    {
        var unnamed = Described(factory).Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is null).Select(e => e.DisplayName);

        Assert.Empty(unnamed);
        Assert.True(Described(factory).Count() > 20, "the enumeration found the API's endpoints");
    }

    [Theory]
    [MemberData(nameof(DescribedEndpoints), DisableDiscoveryEnumeration = true)]
    public async Task EveryEndpointIsDocumentedWithItsNameSummaryResponsesAndSecurity(string name)
    {
        var endpoint = Assert.Single(Described(factory), e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == name);
        using var document = await GetDocumentAsync();
        var method = Assert.Single(endpoint.Metadata.GetRequiredMetadata<IHttpMethodMetadata>().HttpMethods).ToLowerInvariant();
        var operation = Assert.Single(
            document.RootElement.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()),
            op => op.Value.TryGetProperty("operationId", out var id) && id.GetString() == name);

        Assert.Equal(method, operation.Name);
        Assert.False(string.IsNullOrEmpty(operation.Value.GetProperty("summary").GetString()));
        var responses = operation.Value.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        Assert.Contains(responses, status => status.StartsWith('2'));

        var authorize = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>();
        var isProtected = authorize.Count > 0 && endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null;
        Assert.Equal(isProtected, operation.Value.TryGetProperty("security", out _));
        if (isProtected)
        {
            Assert.Contains("401", responses);
        }

        // A role the caller may lack: signed in but refused.
        if (authorize.Any(a => a.Policy is not null && a.Policy != Policies.Authenticated))
        {
            Assert.Contains("403", responses);
        }

        if (endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>() is not null)
        {
            Assert.Contains("429", responses);
        }

        // A body is validated before the handler runs (AddValidation): a bad one is a 400 with the field and the reason.
        if (operation.Value.TryGetProperty("requestBody", out _))
        {
            Assert.Contains("400", responses);
        }
    }

    [Fact]
    public async Task TheScalarUiIsServedInDevelopment()
    {
        var response = await factory.CreateClient().GetAsync("/scalar", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private static IEnumerable<RouteEndpoint> Described(BlogApiFactory factory) =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null
                && e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true });

    private async Task<JsonDocument> GetDocumentAsync()
    {
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(Ct), cancellationToken: Ct);
    }
}
