using Blog.Web.Api;
using Blog.Web.Components.Shared;
using Blog.Web.Infrastructure;
using Bunit;

namespace Blog.Tests.Web;

public class CommentListTests : BunitContext
{
    private static readonly IReadOnlyList<CommentResponse> s_comments =
    [
        WebTestData.Comment("c1", "bob", "Bob's thoughts"),
        WebTestData.Comment("c2", "carol", "Carol's reply"),
    ];

    private IRenderedComponent<CommentList> RenderList(CurrentUser? user, IReadOnlyList<CommentResponse>? comments = null, string? editing = null) =>
        Render<CommentList>(ps => ps
            .Add(c => c.Comments, comments ?? s_comments)
            .Add(c => c.Slug, "hello-aspire")
            .Add(c => c.User, user)
            .Add(c => c.EditingId, editing));

    private static string[] ActionsOf(IRenderedComponent<CommentList> cut, string commentId) =>
        cut.Find($"#comment-{commentId}").QuerySelectorAll(".comment-actions a, .comment-actions button")
            .Select(e => e.TextContent.Trim()).ToArray();

    [Fact]
    public void AnonymousReadersSeeCommentsWithoutAnyActions()
    {
        var cut = RenderList(user: null);

        Assert.Equal(["Bob's thoughts", "Carol's reply"], cut.FindAll(".comment-body").Select(e => e.TextContent));
        Assert.Empty(cut.FindAll(".comment-actions"));
    }

    [Fact]
    public void AReaderCanEditAndDeleteOnlyTheirOwnComment()
    {
        var cut = RenderList(WebTestData.User("bob", Roles.Reader));

        Assert.Equal(["Edit", "Delete"], ActionsOf(cut, "c1"));
        Assert.Empty(ActionsOf(cut, "c2"));
    }

    [Fact]
    public void OwnershipIgnoresTheCaseOfTheUsername()
    {
        var cut = RenderList(WebTestData.User("BOB", Roles.Reader));

        Assert.Equal(["Edit", "Delete"], ActionsOf(cut, "c1"));
    }

    [Theory]
    [InlineData(Roles.Editor)]
    [InlineData(Roles.Admin)]
    public void EditorsAndAdminsCanDeleteAndHideOthersCommentsButNotEditThem(string role)
    {
        var cut = RenderList(WebTestData.User("dave", role));

        Assert.Equal(["Delete", "Hide"], ActionsOf(cut, "c2"));
    }

    [Fact]
    public void AnAuthorHasNoModerationActionsOnOthersComments()
    {
        var cut = RenderList(WebTestData.User("alice", Roles.Author));

        Assert.Empty(ActionsOf(cut, "c1"));
    }

    [Fact]
    public void HiddenCommentsAreMarkedAndOfferUnhide()
    {
        var cut = RenderList(WebTestData.User("dave", Roles.Editor), [WebTestData.Comment("c9", "bob", "rude", hidden: true)]);

        var comment = cut.Find("#comment-c9");
        Assert.Contains("hidden-comment", comment.ClassList);
        Assert.Contains("Hidden", comment.QuerySelector(".comment-head")!.TextContent);
        Assert.Equal(["Delete", "Unhide"], ActionsOf(cut, "c9"));
    }

    [Fact]
    public void EditingOwnCommentShowsAFormWithItsText()
    {
        var cut = RenderList(WebTestData.User("bob", Roles.Reader), editing: "c1");

        var textarea = cut.Find("#comment-c1 textarea");
        Assert.Equal("Bob's thoughts", textarea.GetAttribute("value") ?? textarea.TextContent);
        Assert.Equal("c1", cut.Find("#comment-c1 input[name='EditInput.Id']").GetAttribute("value"));
        Assert.Empty(cut.FindAll("#comment-c2 textarea"));
    }

    [Fact]
    public void SomeoneElsesCommentCannotBeOpenedForEditing()
    {
        var cut = RenderList(WebTestData.User("bob", Roles.Reader), editing: "c2");

        Assert.Empty(cut.FindAll("textarea"));
    }

    [Fact]
    public void CommentBodiesAreTextNotMarkup()
    {
        var cut = RenderList(null, [WebTestData.Comment("c3", "eve", "<img src=x onerror=alert(1)>")]);

        Assert.Empty(cut.FindAll("img"));
        Assert.Equal("<img src=x onerror=alert(1)>", cut.Find(".comment-body").TextContent);
    }

    [Fact]
    public void DeletingRaisesTheCommentsId()
    {
        string? deleted = null;
        var cut = Render<CommentList>(ps => ps
            .Add(c => c.Comments, s_comments)
            .Add(c => c.Slug, "hello-aspire")
            .Add(c => c.User, WebTestData.User("bob", Roles.Reader))
            .Add(c => c.OnDelete, id => deleted = id));

        cut.Find("#comment-c1 form").Submit();

        Assert.Equal("c1", deleted);
    }

    [Fact]
    public void NoCommentsShowsAnInvitation()
    {
        var cut = RenderList(null, []);

        Assert.Contains("No comments yet", cut.Markup);
    }
}
