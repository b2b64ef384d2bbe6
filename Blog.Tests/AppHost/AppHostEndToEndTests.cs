using System.Net.Http.Headers;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Blog.AppHost.Infrastructure;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Blog.Tests.AppHost;

/// <summary>
/// Starts the real AppHost (DistributedApplicationTestingBuilder) in each infrastructure choice, waits for health and
/// checks that data flows database -> API -> web. Containers only where they can really start; otherwise the case is
/// skipped with what is missing.
/// </summary>
[Collection(AppHostCollection.Name)]
public class AppHostEndToEndTests
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task EmbeddedStoreAndMemoryCacheServeThePostsThroughTheWeb()
    {
        await using var app = await StartAsync("embedded", "memory");

        var health = await GetHealthAsync(app);
        Assert.Contains("storage", health.Checks.Keys);
        Assert.DoesNotContain(health.Checks.Keys, k => k.Contains("Redis", StringComparison.OrdinalIgnoreCase));

        await AssertWebShowsAPostCreatedThroughTheApiAsync(app);
    }

    [Fact]
    public async Task AnAdminUsernameGivenOnTheCommandLineIsTheAdminWhoSignsIn()
    {
        // What a new user types: dotnet run --project Blog.AppHost -- --Parameters:admin-username=siteadmin
        await using var app = await StartAsync("embedded", "memory", "--Parameters:admin-username=siteadmin");

        using var api = app.CreateHttpClient("api");
        var login = await api.PostAsJsonAsync("/api/auth/login", new { login = "siteadmin", password = AppHostArgs.AdminPassword }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = await login.Content.ReadFromJsonAsync<TokenBody>(Ct);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens!.AccessToken);

        var me = await api.GetFromJsonAsync<MeBody>("/api/auth/me", Ct);
        Assert.Equal(("siteadmin", "Admin"), (me!.Username, me.Role));

        var old = await app.CreateHttpClient("api").PostAsJsonAsync("/api/auth/login", new { login = "admin", password = AppHostArgs.AdminPassword }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
    }

    [Fact]
    public async Task RedisContainerHoldsTheApisOutputCache()
    {
        var missing = await ContainerPrerequisites.MissingForAsync(InfrastructureChoice.RedisImageReference);
        Assert.SkipWhen(missing is not null, $"Redis container case skipped: {missing} (scripts/provision.sh docker, then docker pull redis:8.6, or .ci/images.sh redis without a registry)");

        await using var app = await StartAsync("embedded", "redis");

        var health = await GetHealthAsync(app);
        Assert.Equal("Healthy", health.Checks["StackExchange.Redis"]);

        await AssertWebShowsAPostCreatedThroughTheApiAsync(app);
        await AssertOutputCacheEntriesAreInRedisAsync(app);
    }

    [Fact]
    public async Task MongoDBAndRedisContainersServeThePostsThroughTheWeb()
    {
        var missing = await ContainerPrerequisites.MissingForAsync(InfrastructureChoice.MongoImageReference)
            ?? await ContainerPrerequisites.MissingForAsync(InfrastructureChoice.RedisImageReference);
        Assert.SkipWhen(missing is not null, $"MongoDB container case skipped: {missing}");

        await using var app = await StartAsync("mongodb", "redis");

        var health = await GetHealthAsync(app);
        Assert.Equal("Healthy", health.Checks["MongoDB.Driver"]);
        Assert.Equal("Healthy", health.Checks["StackExchange.Redis"]);

        await AssertWebShowsAPostCreatedThroughTheApiAsync(app);
        await AssertOutputCacheEntriesAreInRedisAsync(app);
    }

    private static async Task<DistributedApplication> StartAsync(string database, string cache, params string[] extra)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("blog-apphost-").FullName;
        var builder = await AppHostArgs.CreateModelBuilderAsync(database, cache, dataDirectory, extra);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        // Resource logs are in the dashboard when run by hand; in test output only what went wrong.
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting", LogLevel.Warning));

        var app = await builder.BuildAsync(Ct).WaitAsync(s_startTimeout, Ct);
        await app.StartAsync(Ct).WaitAsync(s_startTimeout, Ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", Ct).WaitAsync(s_startTimeout, Ct);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("web", Ct).WaitAsync(s_startTimeout, Ct);
        return app;
    }

    private static async Task<HealthResponse> GetHealthAsync(DistributedApplication app)
    {
        using var api = app.CreateHttpClient("api");
        var response = await api.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync<HealthResponse>(Ct);
        Assert.NotNull(health);
        Assert.Equal("Healthy", health.Status);
        return health;
    }

    private static async Task AssertWebShowsAPostCreatedThroughTheApiAsync(DistributedApplication app)
    {
        using var api = app.CreateHttpClient("api");
        var login = await api.PostAsJsonAsync("/api/auth/login", new { login = AppHostArgs.AdminUsername, password = AppHostArgs.AdminPassword }, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = await login.Content.ReadFromJsonAsync<TokenBody>(Ct);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens!.AccessToken);

        var title = $"Hello from the end-to-end test {Guid.NewGuid():N}";
        var created = await api.PostAsJsonAsync("/api/posts", new
        {
            title,
            summary = "Written through the API, read through the web.",
            body = "It *works*.",
            tags = new[] { "aspire" },
            publish = true,
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        using var web = app.CreateHttpClient("web");
        var page = await web.GetStringAsync("/", Ct);
        Assert.Contains(title, page);
    }

    private static async Task AssertOutputCacheEntriesAreInRedisAsync(DistributedApplication app)
    {
        // The default user is off (RedisAclExtensions): look as the admin user, whose password is the container's.
        var connectionString = await app.GetConnectionStringAsync("cache", Ct);
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{connectionString},user={RedisAclExtensions.AdminUser}");
        var server = redis.GetServers().Single();
        await redis.GetDatabase().ExecuteAsync("FLUSHALL");

        using var api = app.CreateHttpClient("api");
        var first = await api.GetAsync("/api/posts", Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var keys = server.Keys(pattern: "*").Select(k => k.ToString()).ToArray();
        Assert.NotEmpty(keys);
        // The api's ACL user may only write its own keys.
        Assert.All(keys, k => Assert.StartsWith("blog-api:", k, StringComparison.Ordinal));
    }

    private sealed record TokenBody(string AccessToken);

    private sealed record MeBody(string Username, string Role);
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection
{
    /// <summary>Tests that start the whole AppHost share this collection, so that two never start at once on 2 cores.</summary>
    public const string Name = "AppHost";
}
