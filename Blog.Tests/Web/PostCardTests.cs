using Bunit;
using Blog.Web.Components.Shared;

namespace Blog.Tests.Web;

public class PostCardTests : BunitContext
{
    [Fact]
    public void ShowsTitleSummaryAuthorDateTagsAndCommentCount()
    {
        var cut = Render<PostCard>(ps => ps.Add(c => c.Post, WebTestData.Summary(comments: 3, tags: ["dotnet", "aspire"])));

        var title = cut.Find(".post-card-title a");
        Assert.Equal("Hello Aspire", title.TextContent);
        Assert.Equal("/posts/hello-aspire", title.GetAttribute("href"));
        Assert.Equal("A first look at the AppHost.", cut.Find(".post-card-summary").TextContent);
        Assert.Equal("Alice Writer", cut.Find(".author").TextContent);
        Assert.Equal("/users/alice", cut.Find(".author").GetAttribute("href"));
        Assert.Equal("Mar 14, 2026", cut.Find("time").TextContent);
        Assert.Equal(["#dotnet", "#aspire"], cut.FindAll(".tag").Select(t => t.TextContent));
        Assert.Equal("/?tag=dotnet", cut.FindAll(".tag")[0].GetAttribute("href"));
        Assert.Equal("3 comments", cut.Find(".comment-count").TextContent);
    }

    [Theory]
    [InlineData(0, "No comments")]
    [InlineData(1, "1 comment")]
    [InlineData(12, "12 comments")]
    public void CommentCountReadsAsASentence(int count, string expected)
    {
        var cut = Render<PostCard>(ps => ps.Add(c => c.Post, WebTestData.Summary(comments: count)));

        Assert.Equal(expected, cut.Find(".comment-count").TextContent);
    }

    [Fact]
    public void TitlesWithMarkupAreShownAsText()
    {
        var cut = Render<PostCard>(ps => ps.Add(c => c.Post, WebTestData.Summary(title: "<script>alert(1)</script>")));

        Assert.Empty(cut.FindAll("script"));
        Assert.Equal("<script>alert(1)</script>", cut.Find(".post-card-title a").TextContent);
    }
}
