using System.Collections.Concurrent;
using Blog.Api.Comments;
using Blog.Api.Posts;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Blog.Tests.Api;

/// <summary>
/// The API with the in-memory output cache and a post store that counts its reads, so that "served from the cache"
/// is seen both from outside (the <c>Age</c> header only cached responses carry) and from inside (no store read).
/// </summary>
public sealed class CountingBlogApiFactory : BlogApiFactory
{
    public ConcurrentDictionary<string, int> SlugReads { get; } = new(StringComparer.Ordinal);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var inner = services.Last(d => d.ServiceType == typeof(IPostStore));
            services.AddSingleton<IPostStore>(sp => new CountingPostStore(
                (IPostStore)(inner.ImplementationInstance ?? inner.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, inner.ImplementationType!)),
                SlugReads));
        });
    }

    private sealed class CountingPostStore(IPostStore inner, ConcurrentDictionary<string, int> slugReads) : IPostStore
    {
        public Task<Post?> FindBySlugAsync(string slug, CancellationToken ct = default)
        {
            slugReads.AddOrUpdate(slug, 1, (_, n) => n + 1);
            return inner.FindBySlugAsync(slug, ct);
        }

        public Task CreateAsync(Post post, CancellationToken ct = default) => inner.CreateAsync(post, ct);
        public Task<Post?> FindByIdAsync(string id, CancellationToken ct = default) => inner.FindByIdAsync(id, ct);
        public Task<PagedResult<Post>> ListAsync(PostQuery query, CancellationToken ct = default) => inner.ListAsync(query, ct);
        public Task<bool> UpdateAsync(Post post, long expectedVersion, CancellationToken ct = default) => inner.UpdateAsync(post, expectedVersion, ct);
        public Task<bool> DeleteAsync(string id, CancellationToken ct = default) => inner.DeleteAsync(id, ct);
        public Task<IReadOnlyList<TagCount>> GetTagCountsAsync(CancellationToken ct = default) => inner.GetTagCountsAsync(ct);
    }
}

/// <summary>
/// Output caching of the public GETs: a write evicts before it returns (the GET before it fills the cache, the GET
/// after it sees the change), a public response is shared with callers who carry a token, and a response that depends
/// on the caller is never stored nor served from the shared cache.
/// </summary>
public sealed class OutputCacheTests(CountingBlogApiFactory factory) : IClassFixture<CountingBlogApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PublicPostIsServedFromTheCacheToACallerWithAToken()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var reader = await factory.CreateClientAsync(Roles.Reader);

        var anonymous = await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}");
        var withToken = await reader.FetchAsync($"/api/posts/{post.Slug}");

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
        Assert.False(anonymous.IsFromCache());
        Assert.True(withToken.IsFromCache());
        Assert.Equal(1, factory.SlugReads[post.Slug]);
        Assert.Equal(post.Id, (await withToken.ReadAsync<PostResponse>()).Id);
        Assert.Equal($"\"{post.Version}\"", withToken.ETagOf());
    }

    [Fact]
    public async Task DraftIsNeverStoredNorServedFromTheCache()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var draft = await author.CreatePostAsync(publish: false);
        var editor = await factory.CreateClientAsync(Roles.Editor);

        var first = await author.FetchAsync($"/api/posts/{draft.Slug}");
        var second = await author.FetchAsync($"/api/posts/{draft.Slug}");
        var byEditor = await editor.FetchAsync($"/api/posts/{draft.Slug}");
        var anonymous = await factory.CreateClient().FetchAsync($"/api/posts/{draft.Slug}");
        var otherAuthor = await (await factory.CreateClientAsync(Roles.Author)).FetchAsync($"/api/posts/{draft.Slug}");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byEditor.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherAuthor.StatusCode);
        Assert.All([first, second, byEditor], r => Assert.False(r.IsFromCache()));
        Assert.All([first, second, byEditor], r => Assert.True(r.IsPrivate()));
        Assert.Equal(5, factory.SlugReads[draft.Slug]);
    }

    [Fact]
    public async Task DraftListIsNeverServedFromTheCache()
    {
        var editor = await factory.CreateClientAsync(Roles.Editor);
        await editor.FetchAsync("/api/posts?status=draft");
        var draft = await (await factory.CreateClientAsync(Roles.Author)).CreatePostAsync(publish: false);

        var again = await editor.FetchAsync("/api/posts?status=draft&pageSize=50");
        var sameUrlAgain = await editor.FetchAsync("/api/posts?status=draft&pageSize=50");

        Assert.Contains((await again.ReadPageAsync<PostSummary>()).Items, p => p.Id == draft.Id);
        Assert.False(sameUrlAgain.IsFromCache());
        Assert.True(sameUrlAgain.IsPrivate());
        var anonymous = await factory.CreateClient().FetchAsync("/api/posts?status=draft&pageSize=50");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task EditorsSeeHiddenCommentsEvenWhenThePublicListIsCached()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var comment = await author.CreateCommentAsync(post.Slug);
        var editor = await factory.CreateClientAsync(Roles.Editor);
        await editor.PostEmptyAsync($"/api/posts/{post.Slug}/comments/{comment.Id}/hide");
        var anonymous = factory.CreateClient();
        await anonymous.FetchAsync($"/api/posts/{post.Slug}/comments");
        var cached = await anonymous.FetchAsync($"/api/posts/{post.Slug}/comments");

        var forEditor = await editor.FetchAsync($"/api/posts/{post.Slug}/comments");
        var forReader = await (await factory.CreateClientAsync(Roles.Reader)).FetchAsync($"/api/posts/{post.Slug}/comments");

        Assert.True(cached.IsFromCache());
        Assert.Empty((await cached.ReadPageAsync<CommentResponse>()).Items);
        Assert.False(forEditor.IsFromCache());
        Assert.Equal(comment.Id, Assert.Single((await forEditor.ReadPageAsync<CommentResponse>()).Items).Id);
        Assert.True(forReader.IsFromCache());
        Assert.Empty((await forReader.ReadPageAsync<CommentResponse>()).Items);

        // And the editor's list did not replace the public one.
        var afterEditor = await anonymous.FetchAsync($"/api/posts/{post.Slug}/comments");
        Assert.Empty((await afterEditor.ReadPageAsync<CommentResponse>()).Items);
    }

    [Fact]
    public async Task CreatingAPublishedPostEvictsTheListAndTags()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var tag = NewTag();
        await WarmAsync("/api/posts?pageSize=50");
        await WarmAsync("/api/tags");

        var post = await author.CreatePostAsync(tags: [tag]);

        var list = await factory.CreateClient().FetchAsync("/api/posts?pageSize=50");
        var tags = await factory.CreateClient().FetchAsync("/api/tags");
        Assert.Contains((await list.ReadPageAsync<PostSummary>()).Items, p => p.Id == post.Id);
        Assert.Contains(await tags.ReadAsync<Blog.Api.Tags.TagResponse[]>(), t => t.Tag == tag);
    }

    [Fact]
    public async Task UpdatingAPostEvictsIt()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        await WarmAsync($"/api/posts/{post.Slug}");

        var update = await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = "Fresh title", tags = new[] { "fresh" } });

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var after = await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}");
        Assert.Equal("Fresh title", (await after.ReadAsync<PostResponse>()).Title);
        Assert.Equal($"\"{post.Version + 1}\"", after.ETagOf());
    }

    [Fact]
    public async Task DeletingAPostEvictsItItsCommentsAndTheList()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        await author.CreateCommentAsync(post.Slug);
        await WarmAsync($"/api/posts/{post.Slug}");
        await WarmAsync($"/api/posts/{post.Slug}/comments");
        await WarmAsync("/api/posts?pageSize=50");

        Assert.Equal(HttpStatusCode.NoContent, (await author.RemoveAsync($"/api/posts/{post.Slug}")).StatusCode);

        var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.FetchAsync($"/api/posts/{post.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.FetchAsync($"/api/posts/{post.Slug}/comments")).StatusCode);
        Assert.DoesNotContain((await (await anonymous.FetchAsync("/api/posts?pageSize=50")).ReadPageAsync<PostSummary>()).Items, p => p.Id == post.Id);
    }

    [Fact]
    public async Task PublishingEvictsTheListAndUnpublishingEvictsThePost()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var draft = await author.CreatePostAsync(publish: false);
        var anonymous = factory.CreateClient();
        await WarmAsync("/api/posts?pageSize=50");

        Assert.Equal(HttpStatusCode.OK, (await author.PostEmptyAsync($"/api/posts/{draft.Slug}/publish")).StatusCode);
        Assert.Contains((await (await anonymous.FetchAsync("/api/posts?pageSize=50")).ReadPageAsync<PostSummary>()).Items, p => p.Id == draft.Id);

        await WarmAsync($"/api/posts/{draft.Slug}");
        await WarmAsync("/api/posts?pageSize=50");
        Assert.Equal(HttpStatusCode.OK, (await author.PostEmptyAsync($"/api/posts/{draft.Slug}/unpublish")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.FetchAsync($"/api/posts/{draft.Slug}")).StatusCode);
        Assert.DoesNotContain((await (await anonymous.FetchAsync("/api/posts?pageSize=50")).ReadPageAsync<PostSummary>()).Items, p => p.Id == draft.Id);
    }

    [Fact]
    public async Task CommentWritesEvictTheCommentsAndThePostsCount()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var editor = await factory.CreateClientAsync(Roles.Editor);
        var post = await author.CreatePostAsync();
        var path = $"/api/posts/{post.Slug}/comments";

        await WarmAsync(path);
        await WarmAsync($"/api/posts/{post.Slug}");
        var comment = await author.CreateCommentAsync(post.Slug, "created");
        Assert.Equal(["created"], await PublicBodiesAsync(path));
        Assert.Equal(1, (await (await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}")).ReadAsync<PostResponse>()).CommentCount);

        await WarmAsync(path);
        Assert.Equal(HttpStatusCode.OK, (await author.PutJsonAsync($"{path}/{comment.Id}", new { body = "edited" })).StatusCode);
        Assert.Equal(["edited"], await PublicBodiesAsync(path));

        await WarmAsync(path);
        Assert.Equal(HttpStatusCode.OK, (await editor.PostEmptyAsync($"{path}/{comment.Id}/hide")).StatusCode);
        Assert.Empty(await PublicBodiesAsync(path));

        await WarmAsync(path);
        Assert.Equal(HttpStatusCode.OK, (await editor.PostEmptyAsync($"{path}/{comment.Id}/unhide")).StatusCode);
        Assert.Equal(["edited"], await PublicBodiesAsync(path));

        await WarmAsync(path);
        await WarmAsync($"/api/posts/{post.Slug}");
        Assert.Equal(HttpStatusCode.NoContent, (await author.RemoveAsync($"{path}/{comment.Id}")).StatusCode);
        Assert.Empty(await PublicBodiesAsync(path));
        Assert.Equal(0, (await (await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}")).ReadAsync<PostResponse>()).CommentCount);
    }

    [Fact]
    public async Task ListEntriesVaryByTheirQueryButNotByUnknownParameters()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var tag = NewTag();
        var post = await author.CreatePostAsync(tags: [tag]);
        var anonymous = factory.CreateClient();

        await anonymous.FetchAsync($"/api/posts?tag={tag}");
        var byTag = await anonymous.FetchAsync($"/api/posts?tag={tag}");
        var withJunk = await anonymous.FetchAsync($"/api/posts?tag={tag}&junk={Guid.NewGuid():N}");
        var otherTag = await anonymous.FetchAsync($"/api/posts?tag={NewTag()}");

        Assert.True(byTag.IsFromCache());
        Assert.True(withJunk.IsFromCache());
        Assert.Equal([post.Id], (await withJunk.ReadPageAsync<PostSummary>()).Items.Select(p => p.Id));
        Assert.False(otherTag.IsFromCache());
        Assert.Empty((await otherTag.ReadPageAsync<PostSummary>()).Items);
    }

    [Fact]
    public async Task ChangingADisplayNameEvictsTheProfileAndTheAuthorNamesOnPosts()
    {
        var (author, user) = await factory.CreateUserAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        await WarmAsync($"/api/users/{user.Username}");
        await WarmAsync($"/api/posts/{post.Slug}");

        var update = await author.PutJsonAsync("/api/users/me", new { displayName = "Renamed Author", bio = "New bio" });

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var profile = await factory.CreateClient().FetchAsync($"/api/users/{user.Username}");
        Assert.Equal("Renamed Author", (await profile.ReadAsync<Blog.Api.Users.ProfileResponse>()).DisplayName);
        var read = await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}");
        Assert.Equal("Renamed Author", (await read.ReadAsync<PostResponse>()).Author.DisplayName);
    }

    /// <summary>Fills the cache for a public path and checks that the next anonymous GET is a hit.</summary>
    private async Task WarmAsync(string path)
    {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.FetchAsync(path)).StatusCode);
        var second = await client.FetchAsync(path);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True(second.IsFromCache(), $"{path} was not cached");
    }

    private async Task<string[]> PublicBodiesAsync(string path)
    {
        var page = await (await factory.CreateClient().FetchAsync(path)).ReadPageAsync<CommentResponse>();
        return [.. page.Items.Select(c => c.Body)];
    }

    private static string NewTag() => $"t{Guid.NewGuid():N}"[..20];
}
