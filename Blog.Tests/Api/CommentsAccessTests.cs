using Blog.Api.Comments;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>The comments half of the access matrix in issue 3, cell by cell.</summary>
public sealed class CommentsAccessTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    [Theory]
    [InlineData(Caller.Anonymous, false)]
    [InlineData(Caller.Reader, false)]
    [InlineData(Caller.OwnAuthor, false)]
    [InlineData(Caller.OtherAuthor, false)]
    [InlineData(Caller.Editor, true)]
    [InlineData(Caller.Admin, true)]
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
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Created)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.Created)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.Created)]
    [InlineData(Caller.Editor, HttpStatusCode.Created)]
    [InlineData(Caller.Admin, HttpStatusCode.Created)]
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
    [InlineData(Caller.Reader)]
    [InlineData(Caller.OwnAuthor)]
    [InlineData(Caller.OtherAuthor)]
    [InlineData(Caller.Editor)]
    [InlineData(Caller.Admin)]
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
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Editor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Admin, HttpStatusCode.Forbidden)]
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
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Editor, HttpStatusCode.NoContent)]
    [InlineData(Caller.Admin, HttpStatusCode.NoContent)]
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
    [InlineData(Caller.Anonymous, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.Forbidden)]
    [InlineData(Caller.Editor, HttpStatusCode.OK)]
    [InlineData(Caller.Admin, HttpStatusCode.OK)]
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
    [InlineData(Caller.Anonymous, HttpStatusCode.NotFound, HttpStatusCode.Unauthorized)]
    [InlineData(Caller.Reader, HttpStatusCode.NotFound, HttpStatusCode.NotFound)]
    [InlineData(Caller.OwnAuthor, HttpStatusCode.OK, HttpStatusCode.Created)]
    [InlineData(Caller.OtherAuthor, HttpStatusCode.NotFound, HttpStatusCode.NotFound)]
    [InlineData(Caller.Editor, HttpStatusCode.OK, HttpStatusCode.Created)]
    [InlineData(Caller.Admin, HttpStatusCode.OK, HttpStatusCode.Created)]
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
