using Blog.Api.Comments;
using Blog.Api.Storage;
using static System.Net.HttpStatusCode;
using static Blog.Tests.Harness.Caller;

namespace Blog.Tests.Api;

/// <summary>The comments half of the access matrix, cell by cell.</summary>
public sealed class CommentsAccessTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    // What each caller gets, a row per test below.
    public static TheoryData<Caller, bool> EveryoneReadsVisibleCommentsAndOnlyEditorsAndAdminsSeeHiddenOnesCases => AccessMatrix.Of<bool>(anonymous: false, reader: false, ownAuthor: false, otherAuthor: false, editor: true, admin: true);
    public static TheoryData<Caller, HttpStatusCode> EverySignedInUserCommentsCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Created, ownAuthor: Created, otherAuthor: Created, editor: Created, admin: Created);
    public static TheoryData<Caller> EveryoneEditsAndDeletesTheirOwnCommentCases => AccessMatrix.Callers(Reader, OwnAuthor, OtherAuthor, Editor, Admin);
    public static TheoryData<Caller, HttpStatusCode> NobodyEditsSomeoneElsesCommentCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: Forbidden, otherAuthor: Forbidden, editor: Forbidden, admin: Forbidden);
    public static TheoryData<Caller, HttpStatusCode> OnlyEditorsAndAdminsDeleteSomeoneElsesCommentCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: Forbidden, otherAuthor: Forbidden, editor: NoContent, admin: NoContent);
    public static TheoryData<Caller, HttpStatusCode> OnlyEditorsAndAdminsHideAndUnhideCommentsCases => AccessMatrix.Of<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, ownAuthor: Forbidden, otherAuthor: Forbidden, editor: OK, admin: OK);
    public static TheoryData<Caller, HttpStatusCode, HttpStatusCode> CommentsOnADraftExistOnlyForThoseWhoSeeTheDraftCases => AccessMatrix.Of(
        AccessMatrix.Rows<HttpStatusCode>(anonymous: NotFound, reader: NotFound, ownAuthor: OK, otherAuthor: NotFound, editor: OK, admin: OK),
        AccessMatrix.Rows<HttpStatusCode>(anonymous: Unauthorized, reader: NotFound, ownAuthor: Created, otherAuthor: NotFound, editor: Created, admin: Created));

    [Theory]
    [MemberData(nameof(EveryoneReadsVisibleCommentsAndOnlyEditorsAndAdminsSeeHiddenOnesCases))]
    public async Task EveryoneReadsVisibleCommentsAndOnlyEditorsAndAdminsSeeHiddenOnes(Caller caller, bool seesHidden)
    {
        var (owner, slug) = await PublishedPostAsync();
        var visible = await owner.CreateCommentAsync(slug, "visible");
        var hidden = await owner.CreateCommentAsync(slug, "hidden");
        var editor = await factory.CreateClientAsync(Roles.Editor);
        Assert.Equal(HttpStatusCode.OK, (await editor.PostEmptyAsync($"/api/posts/{slug}/comments/{hidden.Id}/hide")).StatusCode);
        var client = await factory.ClientForAsync(caller, owner);

        var page = await (await client.FetchAsync($"/api/posts/{slug}/comments")).ReadPageAsync<CommentResponse>();

        Assert.Equal(seesHidden ? [visible.Id, hidden.Id] : [visible.Id], page.Items.Select(c => c.Id));
        Assert.Equal(seesHidden ? 2 : 1, page.Total);
    }

    [Theory]
    [MemberData(nameof(EverySignedInUserCommentsCases))]
    public async Task EverySignedInUserComments(Caller caller, HttpStatusCode expected)
    {
        var (owner, slug) = await PublishedPostAsync();
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.PostAsJsonAsync($"/api/posts/{slug}/comments", new { body = "Hello" }, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Created)
        {
            var comment = await response.ReadAsync<CommentResponse>();
            Assert.Equal("Hello", comment.Body);
            Assert.Equal($"/api/posts/{slug}/comments/{comment.Id}", response.Headers.Location?.OriginalString);
        }
        else
        {
            await response.ReadProblemAsync();
        }
    }

    [Theory]
    [MemberData(nameof(EveryoneEditsAndDeletesTheirOwnCommentCases))]
    public async Task EveryoneEditsAndDeletesTheirOwnComment(Caller caller)
    {
        var (owner, slug) = await PublishedPostAsync();
        var client = await factory.ClientForAsync(caller, owner);
        var comment = await client.CreateCommentAsync(slug, "first words");

        var edit = await client.PutJsonAsync($"/api/posts/{slug}/comments/{comment.Id}", new { body = "second thoughts" });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var edited = await edit.ReadAsync<CommentResponse>();
        Assert.Equal("second thoughts", edited.Body);
        Assert.NotNull(edited.UpdatedAt);

        var delete = await client.RemoveAsync($"/api/posts/{slug}/comments/{comment.Id}");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        var page = await (await client.FetchAsync($"/api/posts/{slug}/comments")).ReadPageAsync<CommentResponse>();
        Assert.DoesNotContain(page.Items, c => c.Id == comment.Id);
    }

    [Theory]
    [MemberData(nameof(NobodyEditsSomeoneElsesCommentCases))]
    public async Task NobodyEditsSomeoneElsesComment(Caller caller, HttpStatusCode expected)
    {
        var (owner, slug) = await PublishedPostAsync();
        var commenter = await factory.CreateClientAsync(Roles.Reader);
        var comment = await commenter.CreateCommentAsync(slug, "mine");
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.PutJsonAsync($"/api/posts/{slug}/comments/{comment.Id}", new { body = "not yours" });

        Assert.Equal(expected, response.StatusCode);
        await response.ReadProblemAsync();
        var page = await (await commenter.FetchAsync($"/api/posts/{slug}/comments")).ReadPageAsync<CommentResponse>();
        Assert.Equal("mine", Assert.Single(page.Items).Body);
    }

    [Theory]
    [MemberData(nameof(OnlyEditorsAndAdminsDeleteSomeoneElsesCommentCases))]
    public async Task OnlyEditorsAndAdminsDeleteSomeoneElsesComment(Caller caller, HttpStatusCode expected)
    {
        var (owner, slug) = await PublishedPostAsync();
        var comment = await (await factory.CreateClientAsync(Roles.Reader)).CreateCommentAsync(slug);
        var client = await factory.ClientForAsync(caller, owner);

        var response = await client.RemoveAsync($"/api/posts/{slug}/comments/{comment.Id}");

        Assert.Equal(expected, response.StatusCode);
        var page = await (await owner.FetchAsync($"/api/posts/{slug}/comments")).ReadPageAsync<CommentResponse>();
        Assert.Equal(expected == HttpStatusCode.NoContent ? 0 : 1, page.Total);
    }

    [Theory]
    [MemberData(nameof(OnlyEditorsAndAdminsHideAndUnhideCommentsCases))]
    public async Task OnlyEditorsAndAdminsHideAndUnhideComments(Caller caller, HttpStatusCode expected)
    {
        var (owner, slug) = await PublishedPostAsync();
        var comment = await (await factory.CreateClientAsync(Roles.Reader)).CreateCommentAsync(slug);
        var client = await factory.ClientForAsync(caller, owner);

        var hide = await client.PostEmptyAsync($"/api/posts/{slug}/comments/{comment.Id}/hide");

        Assert.Equal(expected, hide.StatusCode);
        var anonymous = factory.CreateClient();
        var page = await (await anonymous.FetchAsync($"/api/posts/{slug}/comments")).ReadPageAsync<CommentResponse>();
        if (expected == HttpStatusCode.OK)
        {
            Assert.True((await hide.ReadAsync<CommentResponse>()).Hidden);
            Assert.Empty(page.Items);

            var unhide = await client.PostEmptyAsync($"/api/posts/{slug}/comments/{comment.Id}/unhide");
            Assert.Equal(HttpStatusCode.OK, unhide.StatusCode);
            Assert.False((await unhide.ReadAsync<CommentResponse>()).Hidden);
            page = await (await anonymous.FetchAsync($"/api/posts/{slug}/comments")).ReadPageAsync<CommentResponse>();
            Assert.Equal(comment.Id, Assert.Single(page.Items).Id);
        }
        else
        {
            await hide.ReadProblemAsync();
            Assert.Equal(comment.Id, Assert.Single(page.Items).Id);
        }
    }

    [Theory]
    [MemberData(nameof(CommentsOnADraftExistOnlyForThoseWhoSeeTheDraftCases))]
    public async Task CommentsOnADraftExistOnlyForThoseWhoSeeTheDraft(Caller caller, HttpStatusCode list, HttpStatusCode create)
    {
        var owner = await factory.CreateClientAsync(Roles.Author);
        var draft = await owner.CreatePostAsync(publish: false);
        var client = await factory.ClientForAsync(caller, owner);

        var listResponse = await client.FetchAsync($"/api/posts/{draft.Slug}/comments");
        var createResponse = await client.PostAsJsonAsync($"/api/posts/{draft.Slug}/comments", new { body = "early" }, TestContext.Current.CancellationToken);

        Assert.Equal(list, listResponse.StatusCode);
        Assert.Equal(create, createResponse.StatusCode);
    }

    [Fact]
    public async Task AHiddenCommentCannotBeEditedByItsAuthorAnyMore()
    {
        var (_, slug) = await PublishedPostAsync();
        var commenter = await factory.CreateClientAsync(Roles.Reader);
        var comment = await commenter.CreateCommentAsync(slug);
        await (await factory.CreateClientAsync(Roles.Editor)).PostEmptyAsync($"/api/posts/{slug}/comments/{comment.Id}/hide");

        var response = await commenter.PutJsonAsync($"/api/posts/{slug}/comments/{comment.Id}", new { body = "sneaky edit" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private async Task<(HttpClient Owner, string Slug)> PublishedPostAsync()
    {
        var owner = await factory.CreateClientAsync(Roles.Author);
        return (owner, (await owner.CreatePostAsync()).Slug);
    }
}
