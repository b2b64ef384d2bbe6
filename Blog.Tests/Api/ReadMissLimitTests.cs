using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>
/// Reads that miss the output cache are limited per client (they reach the store), reads served from the cache
/// never are. The test server gives every anonymous request the same (absent) address: one anonymous client here.
/// </summary>
public sealed class ReadMissLimitTests(LowReadLimitBlogApiFactory factory) : IClassFixture<LowReadLimitBlogApiFactory>
{
    [Fact]
    public async Task AnonymousMissesAreLimitedAndCachedPagesNeverAre()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var posts = new List<Blog.Api.Posts.PostResponse>();
        for (var i = 0; i <= LowReadLimitBlogApiFactory.Limit; i++)
        {
            posts.Add(await author.CreatePostAsync());
        }

        var anonymous = factory.CreateClient();
        var cached = $"/api/posts/{posts[0].Slug}";
        Assert.Equal(HttpStatusCode.OK, (await anonymous.FetchAsync(cached)).StatusCode);
        for (var i = 0; i < 20; i++)
        {
            var hit = await anonymous.FetchAsync(cached);
            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.True(hit.IsFromCache());
        }

        // Misses 2 and 3 of 3 are answered; the 4th is refused, whatever path it asks for.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.FetchAsync($"/api/posts/{posts[1].Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.FetchAsync($"/api/posts/{posts[2].Slug}")).StatusCode);
        var limited = await anonymous.FetchAsync($"/api/posts/{posts[3].Slug}");
        var deepPage = await anonymous.FetchAsync("/api/posts?page=10000&pageSize=50");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        await limited.ReadProblemAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, deepPage.StatusCode);
        // The cached page is still served to the throttled client, and the refusal was not cached for anyone.
        Assert.True((await anonymous.FetchAsync(cached)).IsFromCache());
        var reader = await factory.CreateClientAsync(Roles.Reader);
        Assert.Equal(HttpStatusCode.OK, (await reader.FetchAsync($"/api/posts/{posts[3].Slug}")).StatusCode);
    }
}
