using System.Text.Json;

namespace Blog.Tests.Api;

public sealed class OpenApiTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/auth/register", "post")]
    [InlineData("/api/auth/login", "post")]
    [InlineData("/api/auth/refresh", "post")]
    [InlineData("/api/auth/logout", "post")]
    [InlineData("/api/auth/me", "get")]
    [InlineData("/api/users/{username}", "get")]
    [InlineData("/api/users/me", "put")]
    [InlineData("/api/users/me/password", "put")]
    [InlineData("/api/users", "get")]
    [InlineData("/api/users/{username}/role", "put")]
    [InlineData("/api/users/{username}/disable", "post")]
    [InlineData("/api/users/{username}/enable", "post")]
    [InlineData("/api/users/{username}/password", "put")]
    public async Task EveryAuthAndUsersEndpointIsDocumentedWithANameAndSummary(string path, string method)
    {
        using var document = await GetDocumentAsync();

        var operation = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method);

        Assert.False(string.IsNullOrEmpty(operation.GetProperty("operationId").GetString()));
        Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()));
    }

    [Fact]
    public async Task ProtectedEndpointsDeclareTheBearerSchemeAndPublicOnesDoNot()
    {
        using var document = await GetDocumentAsync();
        var root = document.RootElement;

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(root.GetProperty("paths").GetProperty("/api/auth/me").GetProperty("get").TryGetProperty("security", out _));
        Assert.True(root.GetProperty("paths").GetProperty("/api/users").GetProperty("get").TryGetProperty("security", out _));
        Assert.False(root.GetProperty("paths").GetProperty("/api/auth/login").GetProperty("post").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task TheScalarUiIsServedInDevelopment()
    {
        var response = await factory.CreateClient().GetAsync("/scalar", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonDocument> GetDocumentAsync()
    {
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(Ct), cancellationToken: Ct);
    }
}
