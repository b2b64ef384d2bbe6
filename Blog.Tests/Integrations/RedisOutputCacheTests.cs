using System.Diagnostics;
using Blog.Api.Posts;
using Blog.Api.Storage;
using StackExchange.Redis;

namespace Blog.Tests.Integrations;

[Collection(SharedRedisCollection.Name)]
public sealed class RedisOutputCacheTests(RealRedisBlogApiFactory factory) : IClassFixture<RealRedisBlogApiFactory>
{
    [Fact]
    public async Task CachedPostLivesInRedisIsSharedWithTokenCallersAndIsEvictedByAWrite()
    {
        var connectionString = RealRedisBlogApiFactory.SkipUnlessConfigured();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
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
        RealRedisBlogApiFactory.SkipUnlessConfigured();

        var response = await factory.CreateClient().GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await response.Content.ReadFromJsonAsync<HealthResponse>(Ct);
        Assert.Equal("Healthy", report!.Status);
        Assert.Equal("Healthy", report.Checks["StackExchange.Redis"]);
    }

    // The output cache's keys hold the upper-cased path.
    private static RedisKey[] EntriesFor(ConnectionMultiplexer redis, string slug) =>
        [.. redis.GetServers().SelectMany(s => s.Keys(pattern: $"*{slug.ToUpperInvariant()}*"))];
}

public sealed class RedisDownTests(RedisDownBlogApiFactory factory) : IClassFixture<RedisDownBlogApiFactory>
{
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

[Collection(SharedRedisCollection.Name)]
public sealed class RedisOutageTests(RedisBehindProxyBlogApiFactory factory) : IClassFixture<RedisBehindProxyBlogApiFactory>
{
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EntriesWrittenBeforeAnOutageAreNotServedAfterItWhenTheEvictionFailed()
    {
        var (author, path, redis) = await UnpublishACachedPostWhileRedisIsCutAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().FetchAsync(path)).StatusCode);

        factory.Proxy!.Restore();
        await WaitUntilAsync(() => redis.IsConnected);

        var after = await factory.CreateClient().FetchAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        // And the cache works again: a published post is cached and served from Redis.
        var fresh = await author.CreatePostAsync();
        await factory.CreateClient().FetchAsync($"/api/posts/{fresh.Slug}");
        Assert.True((await factory.CreateClient().FetchAsync($"/api/posts/{fresh.Slug}")).IsFromCache());
    }

    [Fact]
    public async Task ARedisBackFromAnOlderSnapshotServesNoEntryWrittenBeforeTheOutage()
    {
        var (_, path, redis) = await UnpublishACachedPostWhileRedisIsCutAsync();
        // Redis comes back from a snapshot taken before the generations moved: the entry is there, the counter is not.
        await using (var direct = await ConnectionMultiplexer.ConnectAsync(RealRedisBlogApiFactory.ConnectionString!))
        {
            foreach (var server in direct.GetServers())
            {
                foreach (var key in server.Keys(pattern: "*__BLOGGEN*"))
                {
                    await direct.GetDatabase().KeyDeleteAsync(key);
                }
            }
        }

        factory.Proxy!.Restore();
        await WaitUntilAsync(() => redis.IsConnected);

        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().FetchAsync(path)).StatusCode);
    }

    /// <summary>
    /// The arrange both outage tests share: a published post cached in Redis, then Redis cut off from the API (the
    /// entry stays in Redis) and the post unpublished, so the unpublish cannot evict it. Redis is left cut.
    /// </summary>
    private async Task<(HttpClient Author, string Path, IConnectionMultiplexer Redis)> UnpublishACachedPostWhileRedisIsCutAsync()
    {
        RealRedisBlogApiFactory.SkipUnlessConfigured(); // the factory made its proxy to that Redis
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var path = $"/api/posts/{post.Slug}";
        var redis = factory.Services.GetRequiredService<IConnectionMultiplexer>();
        await factory.CreateClient().FetchAsync(path);
        Assert.True((await factory.CreateClient().FetchAsync(path)).IsFromCache());

        factory.Proxy!.Cut();
        await WaitUntilAsync(() => !redis.IsConnected);
        Assert.Equal(HttpStatusCode.OK, (await author.PostEmptyAsync($"{path}/unpublish")).StatusCode);
        return (author, path, redis);
    }

    // Waits for the client library to notice; bounded, and no part of the race under test.
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + ConnectionTimeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the Redis connection did not change state in time");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

[Collection(SharedRedisCollection.Name)]
public sealed class RedisRaceTests(RedisCountingBlogApiFactory factory) : IClassFixture<RedisCountingBlogApiFactory>
{
    [Fact]
    public async Task AReadRacingAnUnpublishIsNotServedFromRedisAfterIt()
    {
        RealRedisBlogApiFactory.SkipUnlessConfigured();
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var path = $"/api/posts/{post.Slug}";

        factory.Gate.Arm(post.Slug);
        var racingRead = factory.CreateClient().FetchAsync(path);
        await factory.Gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await author.PostEmptyAsync($"{path}/unpublish")).StatusCode);
        factory.Gate.Release();
        Assert.Equal(HttpStatusCode.OK, (await racingRead).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().FetchAsync(path)).StatusCode);
    }
}
