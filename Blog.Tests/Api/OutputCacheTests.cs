using Blog.Api.Comments;
using Blog.Api.Posts;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>
/// Output caching of the public GETs: a write evicts before it returns (the GET before it fills the cache, the GET
/// after it sees the change), a public response is shared with callers who carry a token, and a response that depends
/// on the caller is never stored nor served from the shared cache.
/// </summary>
public sealed class OutputCacheTests(CountingBlogApiFactory factory) : IClassFixture<CountingBlogApiFactory>
{
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

        var publish = await author.PostEmptyAsync($"/api/posts/{draft.Slug}/publish");
        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
        var slug = (await publish.ReadAsync<PostResponse>()).Slug;
        Assert.Contains((await (await anonymous.FetchAsync("/api/posts?pageSize=50")).ReadPageAsync<PostSummary>()).Items, p => p.Id == draft.Id);

        await WarmAsync($"/api/posts/{slug}");
        await WarmAsync("/api/posts?pageSize=50");
        Assert.Equal(HttpStatusCode.OK, (await author.PostEmptyAsync($"/api/posts/{slug}/unpublish")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.FetchAsync($"/api/posts/{slug}")).StatusCode);
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

    [Fact]
    public async Task ChangingADisplayNameEvictsThatAuthorsEntriesOnly()
    {
        var (alice, aliceUser) = await factory.CreateUserAsync(Roles.Author);
        var (bob, bobUser) = await factory.CreateUserAsync(Roles.Author);
        var bobsPost = await bob.CreatePostAsync();
        var alicesPost = await alice.CreatePostAsync();
        await alice.CreateCommentAsync(bobsPost.Slug, "Alice was here");
        var bobsComments = $"/api/posts/{bobsPost.Slug}/comments";
        var untouched = new[] { $"/api/posts/{bobsPost.Slug}", $"/api/posts?author={bobUser.Username}", $"/api/users/{bobUser.Username}" };
        foreach (var path in untouched.Append(bobsComments).Append($"/api/posts/{alicesPost.Slug}").Append("/api/posts?pageSize=50"))
        {
            await WarmAsync(path);
        }

        Assert.Equal(HttpStatusCode.OK, (await alice.PutJsonAsync("/api/users/me", new { displayName = "Alice Renamed" })).StatusCode);

        // Bob's post, his list and his profile do not show Alice: still served from the cache.
        foreach (var path in untouched)
        {
            Assert.True((await factory.CreateClient().FetchAsync(path)).IsFromCache(), $"{path} was evicted by someone else's profile edit");
        }

        // What shows Alice's name is fresh: her post, the list page with it, the comment page with her comment.
        var post = await factory.CreateClient().FetchAsync($"/api/posts/{alicesPost.Slug}");
        Assert.False(post.IsFromCache());
        Assert.Equal("Alice Renamed", (await post.ReadAsync<PostResponse>()).Author.DisplayName);
        var list = await (await factory.CreateClient().FetchAsync("/api/posts?pageSize=50")).ReadPageAsync<PostSummary>();
        Assert.Equal("Alice Renamed", list.Items.Single(p => p.Id == alicesPost.Id).Author.DisplayName);
        var comments = await (await factory.CreateClient().FetchAsync(bobsComments)).ReadPageAsync<CommentResponse>();
        Assert.Equal("Alice Renamed", Assert.Single(comments.Items).Author.DisplayName);
        Assert.Equal(aliceUser.Username, comments.Items[0].Author.Username);
    }

    [Fact]
    public async Task PostAndCommentWritesKeepOtherPostsEntries()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var other = await author.CreatePostAsync();
        await author.CreateCommentAsync(other.Slug);
        var post = await author.CreatePostAsync();
        var comment = await author.CreateCommentAsync(post.Slug);
        var otherPaths = new[] { $"/api/posts/{other.Slug}", $"/api/posts/{other.Slug}/comments", "/api/tags" };
        foreach (var path in otherPaths)
        {
            await WarmAsync(path);
        }

        Assert.Equal(HttpStatusCode.OK, (await author.PutJsonAsync($"/api/posts/{post.Slug}/comments/{comment.Id}", new { body = "edited" })).StatusCode);
        await author.CreateCommentAsync(post.Slug, "second");
        // The same tags, other words: the tag cloud is not evicted either.
        Assert.Equal(HttpStatusCode.OK, (await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = "Other words", tags = new[] { "testing" } })).StatusCode);

        foreach (var path in otherPaths)
        {
            Assert.True((await factory.CreateClient().FetchAsync(path)).IsFromCache(), $"{path} was evicted by a write to another post");
        }

        Assert.Equal("Other words", (await (await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}")).ReadAsync<PostResponse>()).Title);
        Assert.Equal(["edited", "second"], await PublicBodiesAsync($"/api/posts/{post.Slug}/comments"));
    }

    [Fact]
    public async Task EditingAPostsTagsOrWordsEvictsTheListsItJoinsOrLeaves()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var (oldTag, newTag) = (NewTag(), NewTag());
        var word = $"w{Guid.NewGuid():N}";
        var post = await author.CreatePostAsync(tags: [oldTag]);
        await WarmAsync($"/api/posts?tag={oldTag}");
        await WarmAsync($"/api/posts?tag={newTag}");
        await WarmAsync($"/api/posts?q={word}");

        Assert.Equal(HttpStatusCode.OK, (await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = $"Now with {word}", tags = new[] { newTag } })).StatusCode);

        var anonymous = factory.CreateClient();
        Assert.Empty((await (await anonymous.FetchAsync($"/api/posts?tag={oldTag}")).ReadPageAsync<PostSummary>()).Items);
        Assert.Equal([post.Id], (await (await anonymous.FetchAsync($"/api/posts?tag={newTag}")).ReadPageAsync<PostSummary>()).Items.Select(p => p.Id));
        Assert.Equal([post.Id], (await (await anonymous.FetchAsync($"/api/posts?q={word}")).ReadPageAsync<PostSummary>()).Items.Select(p => p.Id));
    }

    [Fact]
    public async Task EquivalentListQueriesShareOneEntry()
    {
        var (author, user) = await factory.CreateUserAsync(Roles.Author, username: $"Al{Guid.NewGuid():N}"[..16]);
        var tag = NewTag();
        var (alpha, beta) = ($"a{Guid.NewGuid():N}"[..12], $"b{Guid.NewGuid():N}"[..12]);
        var post = await author.CreatePostAsync(title: $"{alpha} and {beta}", tags: [tag]);
        var anonymous = factory.CreateClient();
        var canonical = $"/api/posts?pageSize=7&tag={tag}&author={user.Username.ToLowerInvariant()}&q={alpha}+{beta}";
        var first = await anonymous.FetchAsync(canonical);
        Assert.Equal([post.Id], (await first.ReadPageAsync<PostSummary>()).Items.Select(p => p.Id));
        var misses = factory.ListReads;

        string[] variants =
        [
            $"/api/posts?pageSize=07&tag={tag}&author={user.Username}&q={alpha}+{beta}",
            $"/api/posts?pageSize=007&tag={tag.ToUpperInvariant()}&author={user.Username.ToUpperInvariant()}&q={beta}+{alpha}",
            $"/api/posts?q={alpha}+{beta}+{alpha}&author=%20{user.Username}&tag=%20{tag}&pageSize=7&page=1",
            $"/api/posts?tag={tag}&pageSize=7&author={user.Username}&q={beta.ToUpperInvariant()}%2C{alpha}&utm_source={Guid.NewGuid():N}",
        ];
        foreach (var variant in variants)
        {
            var response = await anonymous.FetchAsync(variant);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.IsFromCache(), $"{variant} was a miss");
            Assert.Equal([post.Id], (await response.ReadPageAsync<PostSummary>()).Items.Select(p => p.Id));
        }

        // One store read for all of them; a page size past the cap is the capped one, page 0 is page 1.
        Assert.Equal(misses, factory.ListReads);
        await anonymous.FetchAsync("/api/posts?pageSize=50&page=1");
        var capped = factory.ListReads;
        Assert.True((await anonymous.FetchAsync("/api/posts?pageSize=500&page=0")).IsFromCache());
        Assert.True((await anonymous.FetchAsync("/api/posts?pageSize=0050")).IsFromCache());
        Assert.Equal(capped, factory.ListReads);
    }

    [Fact]
    public async Task EquivalentCommentPagesShareOneEntry()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        await WarmAsync($"/api/posts/{post.Slug}/comments?pageSize=5");

        foreach (var variant in new[] { "?pageSize=05", "?pageSize=005&page=01", $"?pageSize=5&junk={Guid.NewGuid():N}" })
        {
            Assert.True((await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}/comments{variant}")).IsFromCache(), variant);
        }
    }

    [Theory]
    [InlineData("/api/posts?page=10000&pageSize=50", "At most 20 with pageSize 50")]
    [InlineData("/api/posts?page=21&pageSize=50&tag=testing", "At most 20 with pageSize 50")]
    [InlineData("/api/posts?page=101&q=post", "At most 100 with pageSize 10")]
    [InlineData("/api/posts?page=2147483647&pageSize=50", "At most 20 with pageSize 50")]
    public async Task DeepPostPagesGetAProblemNamingThePageAndTheLimit(string path, string reason)
    {
        var response = await factory.CreateClient().FetchAsync(path);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.StartsWith(reason, Assert.Single(errors["page"]));
    }

    [Fact]
    public async Task DeepCommentPagesGetAProblemAndTheDeepestPageIsServed()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();

        var deepest = await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}/comments?page=20&pageSize=50");
        var tooDeep = await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}/comments?page=21&pageSize=50");
        var mine = await author.FetchAsync("/api/users/me/posts?page=1001&pageSize=1");

        Assert.Equal(HttpStatusCode.OK, deepest.StatusCode);
        Assert.StartsWith("At most 20 with pageSize 50", Assert.Single((await tooDeep.ReadValidationErrorsAsync())["page"]));
        Assert.StartsWith("At most 1000 with pageSize 1", Assert.Single((await mine.ReadValidationErrorsAsync())["page"]));
    }

    [Fact]
    public async Task AReadRacingAnUnpublishIsNotServedAfterIt()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var path = $"/api/posts/{post.Slug}";

        // A reader loads the published post, and is held before its response is stored...
        factory.Gate.Arm(post.Slug);
        var racingRead = factory.CreateClient().FetchAsync(path);
        await factory.Gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        // ...while the author unpublishes it (the eviction finds nothing to evict yet)...
        Assert.Equal(HttpStatusCode.OK, (await author.PostEmptyAsync($"{path}/unpublish")).StatusCode);
        // ...then the reader's stale response completes, after the eviction.
        factory.Gate.Release();
        Assert.Equal(HttpStatusCode.OK, (await racingRead).StatusCode);

        var after = await factory.CreateClient().FetchAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task AReadRacingAHideIsNotServedAfterIt()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var editor = await factory.CreateClientAsync(Roles.Editor);
        var post = await author.CreatePostAsync();
        var comment = await author.CreateCommentAsync(post.Slug, "to be hidden");
        var path = $"/api/posts/{post.Slug}/comments";

        factory.Gate.Arm(post.Id);
        var racingRead = factory.CreateClient().FetchAsync(path);
        await factory.Gate.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(HttpStatusCode.OK, (await editor.PostEmptyAsync($"{path}/{comment.Id}/hide")).StatusCode);
        factory.Gate.Release();
        Assert.Equal(["to be hidden"], (await (await racingRead).ReadPageAsync<CommentResponse>()).Items.Select(c => c.Body));

        Assert.Empty(await PublicBodiesAsync(path));
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
