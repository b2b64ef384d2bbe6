using Blog.Api;
using Blog.Api.Posts;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>
/// The posts half of the access matrix in issue 3, cell by cell: anonymous, Reader, the post's own Author, another
/// Author, Editor, Admin. A draft that the caller may not see does not exist for them (404); a post they can see but
/// not manage is 403.
/// </summary>
public sealed class PostsAccessTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    private static readonly object Edit = new { title = "Edited title", summary = "Edited.", body = "Edited body.", tags = new[] { "edited" } };

    [Theory]
    [InlineData(Caller.Anonymous)]
    [InlineData(Caller.Reader)]
    [InlineData(Caller.OwnAuthor)]
    [InlineData(Caller.OtherAuthor)]
    [InlineData(Caller.Editor)]
    [InlineData(Caller.Admin)]
    public async Task EveryoneReadsPublishedPostsAndTheirList(Caller caller)
    {
        var (owner, post) = await PostByAuthorAsync(publish: true);
        var client = await factory.ClientForAsync(caller, owner);

        var single = await client.FetchAsync($"/api/posts/{post.Slug}");
        var list = await client.FetchAsync("/api/posts?pageSize=50");

        Assert.Equal(HttpStatusCode.OK, single.StatusCode);
        Assert.Equal(post.Id, (await single.ReadAsync<PostResponse>()).Id);
        Assert.Contains((await list.ReadPageAsync<PostSummary>()).Items, p => p.Id == post.Id);
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.NotFound)]
    [InlineData(Caller.Reader, HttpStatusCode.NotFound)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.OK)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.NotFound)]
    [InlineData(Caller.Editor, HttpStatusCode.OK)]
    [InlineData(Caller.Admin, HttpStatusCode.OK)]
    public async Task DraftIsVisibleOnlyToItsAuthorEditorsAndAdmins(Caller caller, HttpStatusCode expected)
    {
        var (owner, draft) = await PostByAuthorAsync(publish: false);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.FetchAsync($"/api/posts/{draft.Slug}");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(PostStatus.Draft, (await response.ReadAsync<PostResponse>()).Status);
        }
        else
        {
            await response.ReadProblemAsync();
        }
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Editor, HttpStatusCode.OK)]
    [InlineData(Caller.Admin, HttpStatusCode.OK)]
    public async Task OnlyEditorsAndAdminsListAllDrafts(Caller caller, HttpStatusCode expected)
    {
        var (owner, draft) = await PostByAuthorAsync(publish: false);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.FetchAsync("/api/posts?status=draft&pageSize=50");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            var page = await response.ReadPageAsync<PostSummary>();
            Assert.Contains(page.Items, p => p.Id == draft.Id);
            Assert.All(page.Items, p => Assert.Equal(PostStatus.Draft, p.Status));
        }
        else
        {
            await response.ReadProblemAsync();
        }
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.Created)]
    [InlineData(Caller.Editor, HttpStatusCode.Created)]
    [InlineData(Caller.Admin, HttpStatusCode.Created)]
    public async Task OnlyAuthorsEditorsAndAdminsCreatePosts(Caller caller, HttpStatusCode expected)
    {
        var client = await factory.ClientForAsync(caller, await factory.CreateClientAsync(Roles.Author));

        var response = await client.PostAsJsonAsync("/api/posts",
            new { title = ContentTestHelpers.NewTitle(), summary = "", body = "", tags = Array.Empty<string>() },
            TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Created)
        {
            var post = await response.ReadAsync<PostResponse>();
            Assert.Equal($"/api/posts/{post.Slug}", response.Headers.Location?.OriginalString);
            Assert.Equal(PostStatus.Draft, post.Status);
        }
        else
        {
            await response.ReadProblemAsync();
        }
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.OK)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Editor, HttpStatusCode.OK)]
    [InlineData(Caller.Admin, HttpStatusCode.OK)]
    public async Task OnlyTheOwnerEditorsAndAdminsEditAPublishedPost(Caller caller, HttpStatusCode expected)
    {
        var (owner, post) = await PostByAuthorAsync(publish: true);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.PutPostAsync(post.Slug, $"\"{post.Version}\"", Edit);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal("Edited title", (await response.ReadAsync<PostResponse>()).Title);
        }
        else
        {
            await response.ReadProblemAsync();
            var current = await owner.FetchAsync($"/api/posts/{post.Slug}");
            Assert.Equal(post.Title, (await current.ReadAsync<PostResponse>()).Title);
        }
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.OK)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.NotFound)]
    [InlineData(Caller.Editor, HttpStatusCode.OK)]
    [InlineData(Caller.Admin, HttpStatusCode.OK)]
    public async Task AnotherAuthorCannotEvenFindADraftToEdit(Caller caller, HttpStatusCode expected)
    {
        var (owner, draft) = await PostByAuthorAsync(publish: false);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.PutPostAsync(draft.Slug, $"\"{draft.Version}\"", Edit);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.NoContent)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Editor, HttpStatusCode.NoContent)]
    [InlineData(Caller.Admin, HttpStatusCode.NoContent)]
    public async Task OnlyTheOwnerEditorsAndAdminsDeleteAPost(Caller caller, HttpStatusCode expected)
    {
        var (owner, post) = await PostByAuthorAsync(publish: true);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.RemoveAsync($"/api/posts/{post.Slug}");

        Assert.Equal(expected, response.StatusCode);
        var after = await owner.FetchAsync($"/api/posts/{post.Slug}");
        Assert.Equal(expected == HttpStatusCode.NoContent ? HttpStatusCode.NotFound : HttpStatusCode.OK, after.StatusCode);
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.OK)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.NotFound)]
    [InlineData(Caller.Editor, HttpStatusCode.OK)]
    [InlineData(Caller.Admin, HttpStatusCode.OK)]
    public async Task OnlyTheOwnerEditorsAndAdminsPublishADraft(Caller caller, HttpStatusCode expected)
    {
        var (owner, draft) = await PostByAuthorAsync(publish: false);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.PostEmptyAsync($"/api/posts/{draft.Slug}/publish");

        Assert.Equal(expected, response.StatusCode);
        // Publishing gives the post its public slug (a draft's slug is private).
        var slug = expected == HttpStatusCode.OK ? (await response.ReadAsync<PostResponse>()).Slug : draft.Slug;
        var anonymous = await factory.CreateClient().FetchAsync($"/api/posts/{slug}");
        Assert.Equal(expected == HttpStatusCode.OK ? HttpStatusCode.OK : HttpStatusCode.NotFound, anonymous.StatusCode);
    }

    [Theory]
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.OK)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Editor, HttpStatusCode.OK)]
    [InlineData(Caller.Admin, HttpStatusCode.OK)]
    public async Task OnlyTheOwnerEditorsAndAdminsUnpublishAPost(Caller caller, HttpStatusCode expected)
    {
        var (owner, post) = await PostByAuthorAsync(publish: true);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.PostEmptyAsync($"/api/posts/{post.Slug}/unpublish");

        Assert.Equal(expected, response.StatusCode);
        var anonymous = await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}");
        Assert.Equal(expected == HttpStatusCode.OK ? HttpStatusCode.NotFound : HttpStatusCode.OK, anonymous.StatusCode);
    }

    [Theory]
    [InlineData(Caller.Reader)]
    [InlineData(Caller.OwnAuthor)]
    [InlineData(Caller.Editor)]
    [InlineData(Caller.Admin)]
    public async Task MyPostsListsOnlyTheCallersOwnPosts(Caller caller)
    {
        var (owner, _) = await PostByAuthorAsync(publish: false);
        var client = await factory.ClientForAsync(caller, owner);
        var mine = caller == Caller.Reader ? null : await client.CreatePostAsync(publish: false);
        await (await factory.CreateClientAsync(Roles.Author)).CreatePostAsync(publish: false);

        var response = await client.FetchAsync("/api/users/me/posts?status=draft");

        var page = await response.ReadPageAsync<PostSummary>();
        Assert.True(response.IsPrivate());
        if (mine is null)
        {
            Assert.Empty(page.Items);
        }
        else
        {
            Assert.Contains(page.Items, p => p.Id == mine.Id);
            Assert.All(page.Items, p => Assert.Equal(mine.Author.Username, p.Author.Username));
        }
    }

    [Fact]
    public async Task MyPostsNeedsASignedInCaller()
    {
        var response = await factory.CreateClient().FetchAsync("/api/users/me/posts");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await response.ReadProblemAsync();
    }

    private async Task<(HttpClient Owner, PostResponse Post)> PostByAuthorAsync(bool publish)
    {
        var owner = await factory.CreateClientAsync(Roles.Author);
        return (owner, await owner.CreatePostAsync(publish: publish));
    }
}
