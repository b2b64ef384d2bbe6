using Blog.Api.Storage;

namespace Blog.Tests.Api;

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
        // Reads are not writes.
        Assert.Equal(HttpStatusCode.OK, (await author.FetchAsync($"/api/posts/{post.Slug}")).StatusCode);
    }

    [Fact]
    public async Task EveryWriteCountsAgainstTheCallersWriteLimit()
    {
        // Each of these evicts cache entries and costs a store write: none may be sent without limit.
        var editor = await factory.CreateClientAsync(Roles.Editor);
        var post = await editor.CreatePostAsync();
        var comment = await editor.CreateCommentAsync(post.Slug);
        var path = $"/api/posts/{post.Slug}";
        var writes = new Func<Task<HttpResponseMessage>>[]
        {
            () => editor.PutJsonAsync("/api/users/me", new { displayName = "Spinning name" }),
            () => editor.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = "Edit" }),
            () => editor.PostEmptyAsync($"{path}/publish"),
            () => editor.PostEmptyAsync($"{path}/unpublish"),
            () => editor.PutJsonAsync($"{path}/comments/{comment.Id}", new { body = "edited" }),
            () => editor.PostEmptyAsync($"{path}/comments/{comment.Id}/hide"),
            () => editor.PostEmptyAsync($"{path}/comments/{comment.Id}/unhide"),
            () => editor.RemoveAsync($"{path}/comments/{comment.Id}"),
            () => editor.RemoveAsync(path),
        };

        // The post and the comment used up the limit already (Limit is 3: one more write is allowed).
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await editor.PutJsonAsync("/api/users/me", new { displayName = "Once" })).StatusCode);
        foreach (var write in writes)
        {
            var response = await write();
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
        }
    }

    [Fact]
    public async Task AdminWritesCountAgainstTheAdminsWriteLimit()
    {
        var admin = await factory.CreateClientAsync(Roles.Admin);
        var (_, target) = await factory.CreateUserAsync(Roles.Reader);
        for (var i = 0; i < LowWriteLimitBlogApiFactory.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutJsonAsync($"/api/users/{target.Username}/role", new { role = "Author" })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await admin.PutJsonAsync($"/api/users/{target.Username}/role", new { role = "Reader" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await admin.PostEmptyAsync($"/api/users/{target.Username}/disable")).StatusCode);
    }

    [Fact]
    public async Task RefreshIsRateLimitedPerClient()
    {
        // Anonymous: the refresh token says which session only after a store read, so the client is the partition.
        var client = factory.CreateClient();
        for (var i = 0; i < LowWriteLimitBlogApiFactory.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync($"not-a-token-{i}")).StatusCode);
        }

        var limited = await client.RefreshAsync("not-a-token-either");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        await limited.ReadProblemAsync();
    }
}
