using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>The API with a write limit of <see cref="Limit"/> per user per minute.</summary>
public sealed class LowWriteLimitBlogApiFactory : BlogApiFactory
{
    public const int Limit = 3;

    public LowWriteLimitBlogApiFactory() => WithSettings(
        ("RateLimits:Writes:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("RateLimits:Writes:Window", "00:10:00"));
}

public sealed class PostRateLimitTests(LowWriteLimitBlogApiFactory factory) : IClassFixture<LowWriteLimitBlogApiFactory>
{
    [Fact]
    public async Task CreatingPostsAndCommentsIsRateLimitedPerUser()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        for (var i = 1; i < LowWriteLimitBlogApiFactory.Limit; i++)
        {
            await author.CreatePostAsync();
        }

        var overPost = await author.PostAsJsonAsync("/api/posts", new { title = "One too many" }, TestContext.Current.CancellationToken);
        var overComment = await author.PostAsJsonAsync($"/api/posts/{post.Slug}/comments", new { body = "spam" }, TestContext.Current.CancellationToken);
        var otherAuthor = await (await factory.CreateClientAsync(Roles.Author)).PostAsJsonAsync(
            "/api/posts", new { title = "Someone else" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, overPost.StatusCode);
        Assert.NotNull(overPost.Headers.RetryAfter);
        await overPost.ReadProblemAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, overComment.StatusCode);
        Assert.Equal(HttpStatusCode.Created, otherAuthor.StatusCode);
        // Reads and edits are not writes in this sense.
        Assert.Equal(HttpStatusCode.OK, (await author.FetchAsync($"/api/posts/{post.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = "Edit" })).StatusCode);
    }
}
