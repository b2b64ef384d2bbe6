using Blog.Api.Posts;
using Blog.Api.Storage;
using static System.Net.HttpStatusCode;
using static Blog.Tests.Harness.Caller;

namespace Blog.Tests.Api;

/// <summary>
/// The posts half of the access matrix, cell by cell: anonymous, Reader, the post's own Author, another
/// Author, Editor, Admin. A draft that the caller may not see does not exist for them (404); a post they can see but
/// not manage is 403.
/// </summary>
public sealed class PostsAccessTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    private static readonly object Edit = new { title = "Edited title", summary = "Edited.", body = "Edited body.", tags = new[] { "edited" } };

    // What each caller gets, a row per test below.
    public static TheoryData<Caller> EveryoneReadsPublishedPostsAndTheirListCases => AccessMatrix.Callers(Anonymous, Reader, OwnAuthor, OtherAuthor, Editor, Admin);
    public static TheoryData<Caller, HttpStatusCode> DraftIsVisibleOnlyToItsAuthorEditorsAndAdminsCases => AccessMatrix.Of<HttpStatusCode>(anonymous: NotFound, reader: NotFound, ownAuthor: OK, otherAuthor: NotFound, editor: OK, admin: OK);
    public static TheoryData<Caller, HttpStatusCode> OnlyEditorsAndAdminsListAllDraftsCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: Forbidden, editor: OK, admin: OK);
    public static TheoryData<Caller, HttpStatusCode> OnlyAuthorsEditorsAndAdminsCreatePostsCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: Created, editor: Created, admin: Created);
    public static TheoryData<Caller, HttpStatusCode> OnlyTheOwnerEditorsAndAdminsEditAPublishedPostCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: OK, otherAuthor: Forbidden, editor: OK, admin: OK);
    public static TheoryData<Caller, HttpStatusCode> AnotherAuthorCannotEvenFindADraftToEditCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: OK, otherAuthor: NotFound, editor: OK, admin: OK);
    public static TheoryData<Caller, HttpStatusCode> OnlyTheOwnerEditorsAndAdminsDeleteAPostCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: NoContent, otherAuthor: Forbidden, editor: NoContent, admin: NoContent);
    public static TheoryData<Caller, HttpStatusCode> OnlyTheOwnerEditorsAndAdminsPublishADraftCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: OK, otherAuthor: NotFound, editor: OK, admin: OK);
    public static TheoryData<Caller, HttpStatusCode> OnlyTheOwnerEditorsAndAdminsUnpublishAPostCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: OK, otherAuthor: Forbidden, editor: OK, admin: OK);
    public static TheoryData<Caller> MyPostsListsOnlyTheCallersOwnPostsCases => AccessMatrix.Callers(Reader, OwnAuthor, Editor, Admin);

    [Theory]
    [MemberData(nameof(EveryoneReadsPublishedPostsAndTheirListCases))]
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
    [MemberData(nameof(DraftIsVisibleOnlyToItsAuthorEditorsAndAdminsCases))]
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
    [MemberData(nameof(OnlyEditorsAndAdminsListAllDraftsCases))]
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
    [MemberData(nameof(OnlyAuthorsEditorsAndAdminsCreatePostsCases))]
    public async Task OnlyAuthorsEditorsAndAdminsCreatePosts(Caller caller, HttpStatusCode expected)
    {
        var client = await factory.ClientForAsync(caller, await factory.CreateClientAsync(Roles.Author));

        var response = await client.PostAsJsonAsync("/api/posts",
            new { title = ApiDriver.NewTitle(), summary = "", body = "", tags = Array.Empty<string>() },
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
    [MemberData(nameof(OnlyTheOwnerEditorsAndAdminsEditAPublishedPostCases))]
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
    [MemberData(nameof(AnotherAuthorCannotEvenFindADraftToEditCases))]
    public async Task AnotherAuthorCannotEvenFindADraftToEdit(Caller caller, HttpStatusCode expected)
    {
        var (owner, draft) = await PostByAuthorAsync(publish: false);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.PutPostAsync(draft.Slug, $"\"{draft.Version}\"", Edit);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(OnlyTheOwnerEditorsAndAdminsDeleteAPostCases))]
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
    [MemberData(nameof(OnlyTheOwnerEditorsAndAdminsPublishADraftCases))]
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
    [MemberData(nameof(OnlyTheOwnerEditorsAndAdminsUnpublishAPostCases))]
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
    [MemberData(nameof(MyPostsListsOnlyTheCallersOwnPostsCases))]
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
