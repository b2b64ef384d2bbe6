using System.Diagnostics;
using System.Net.Sockets;
using Blog.Api.Posts;
using Blog.Api.Storage;
using StackExchange.Redis;

namespace Blog.Tests.Api;

/// <summary>The API with its output cache in the Redis named by <c>BLOG_TEST_REDIS</c> (a StackExchange.Redis connection string).</summary>
public sealed class RealRedisBlogApiFactory : BlogApiFactory
{
    public const string EnvironmentVariable = "BLOG_TEST_REDIS";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

    public RealRedisBlogApiFactory() => WithSettings(("ConnectionStrings:cache", ConnectionString));
}

/// <summary>The API configured for a Redis that is not there: a port on this machine where nothing listens.</summary>
public sealed class RedisDownBlogApiFactory : BlogApiFactory
{
    public RedisDownBlogApiFactory() => WithSettings(("ConnectionStrings:cache", $"127.0.0.1:{UnusedPort()}"));

    private static int UnusedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed class RedisOutputCacheTests(RealRedisBlogApiFactory factory) : IClassFixture<RealRedisBlogApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CachedPostLivesInRedisIsSharedWithTokenCallersAndIsEvictedByAWrite()
    {
        Assert.SkipWhen(RealRedisBlogApiFactory.ConnectionString is null,
            $"{RealRedisBlogApiFactory.EnvironmentVariable} is not set: no Redis to test against (.ci/run starts one and sets it).");
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RealRedisBlogApiFactory.ConnectionString!);
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var path = $"/api/posts/{post.Slug}";

        var first = await factory.CreateClient().FetchAsync(path);
        var withToken = await (await factory.CreateClientAsync(Roles.Reader)).FetchAsync(path);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.IsFromCache());
        Assert.True(withToken.IsFromCache());
        Assert.NotEmpty(EntriesFor(redis, post.Slug));

        var update = await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = "Changed in Redis" });

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Empty(EntriesFor(redis, post.Slug));
        var after = await factory.CreateClient().FetchAsync(path);
        Assert.False(after.IsFromCache());
        Assert.Equal("Changed in Redis", (await after.ReadAsync<PostResponse>()).Title);
    }

    [Fact]
    public async Task HealthIsHealthyWithRedisUp()
    {
        Assert.SkipWhen(RealRedisBlogApiFactory.ConnectionString is null,
            $"{RealRedisBlogApiFactory.EnvironmentVariable} is not set: no Redis to test against (.ci/run starts one and sets it).");

        var response = await factory.CreateClient().GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    // The output cache's keys hold the upper-cased path.
    private static RedisKey[] EntriesFor(ConnectionMultiplexer redis, string slug) =>
        [.. redis.GetServers().SelectMany(s => s.Keys(pattern: $"*{slug.ToUpperInvariant()}*"))];
}

public sealed class RedisDownTests(RedisDownBlogApiFactory factory) : IClassFixture<RedisDownBlogApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadsAndWritesSucceedQuicklyAndHealthIsDegradedWhenRedisIsDown()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var anonymous = factory.CreateClient();
        await anonymous.FetchAsync($"/api/posts/{post.Slug}");

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            var read = await anonymous.FetchAsync($"/api/posts/{post.Slug}");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.False(read.IsFromCache());
        }

        var update = await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = "Written while Redis is down" });
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        // 21 requests; a client that waited for Redis would take seconds each (connect and sync timeouts).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"21 requests took {clock.Elapsed}");
        var after = await anonymous.FetchAsync($"/api/posts/{post.Slug}");
        Assert.Equal("Written while Redis is down", (await after.ReadAsync<PostResponse>()).Title);

        var health = await anonymous.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var report = await health.Content.ReadFromJsonAsync<HealthResponse>(Ct);
        Assert.Equal("Degraded", report!.Status);
        Assert.Equal("Degraded", report.Checks["StackExchange.Redis"]);
        Assert.Equal("Healthy", report.Checks["storage"]);
    }
}
