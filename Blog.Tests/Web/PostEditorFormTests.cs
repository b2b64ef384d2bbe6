using Blog.Web.Api;
using Blog.Web.Components.Shared;
using Bunit;

namespace Blog.Tests.Web;

public class PostEditorFormTests : BunitContext
{
    private PostForm? _saved;
    private PostForm? _previewed;

    private IRenderedComponent<PostEditorForm> RenderEditor(PostForm initial, ApiProblem? problem = null, bool isNew = true, string? status = null) =>
        Render<PostEditorForm>(ps => ps
            .Add(c => c.Initial, initial)
            .Add(c => c.IsNew, isNew)
            .Add(c => c.Status, status)
            .Add(c => c.Problem, problem)
            .Add(c => c.OnSave, f => _saved = f)
            .Add(c => c.OnPreview, f => _previewed = f));

    [Fact]
    public void SavingWithoutTitleOrBodyShowsMessagesNextToTheFieldsAndDoesNotSave()
    {
        var cut = RenderEditor(new PostForm { Action = "publish" });

        cut.Find("form").Submit();

        Assert.Null(_saved);
        var messages = cut.FindAll(".validation-message").Select(m => m.TextContent).ToArray();
        Assert.Contains("Give your post a title.", messages);
        Assert.Contains("Write the post's body.", messages);
    }

    [Fact]
    public void PreviewWorksOnAnUnfinishedPost()
    {
        var cut = RenderEditor(new PostForm { Body = "# Draft", Action = "preview" });

        cut.Find("form").Submit();

        Assert.NotNull(_previewed);
        Assert.Null(_saved);
        Assert.Empty(cut.FindAll(".validation-message"));
    }

    [Fact]
    public void AValidPostIsSavedWithItsAction()
    {
        var cut = RenderEditor(new PostForm { Title = "Hello", Body = "Text", Tags = "dotnet", Action = "save" });

        cut.Find("form").Submit();

        Assert.NotNull(_saved);
        Assert.Equal("save", _saved.Action);
    }

    [Fact]
    public void ApiValidationErrorsAppearNextToTheMatchingFields()
    {
        var problem = new ApiProblem(HttpStatusCode.BadRequest, "One or more validation errors occurred.", null,
            new Dictionary<string, string[]>
            {
                ["title"] = ["The title is too long."],
                ["tags[0]"] = ["Tags are letters and digits."],
                ["somethingElse"] = ["A field the form does not have."],
            });

        var cut = RenderEditor(new PostForm { Title = "x", Body = "y" }, problem);

        Assert.Equal("The title is too long.", cut.Find("#post-title ~ .validation-message").TextContent);
        Assert.Equal("Tags are letters and digits.", cut.Find("#post-tags ~ .validation-message").TextContent);
        Assert.Contains("A field the form does not have.", cut.Find(".notice-error").TextContent);
    }

    [Fact]
    public void ADraftOffersPublishAndAPublishedPostOffersUnpublish()
    {
        var draft = RenderEditor(new PostForm(), isNew: false, status: "draft");
        var published = RenderEditor(new PostForm(), isNew: false, status: "published");

        Assert.Equal(["preview", "save", "publish"], draft.FindAll("button[name='Model.Action']").Select(b => b.GetAttribute("value")));
        Assert.Equal(["preview", "save", "unpublish"], published.FindAll("button[name='Model.Action']").Select(b => b.GetAttribute("value")));
    }

    [Fact]
    public void TheVersionTheUserStartedFromTravelsWithTheForm()
    {
        var cut = RenderEditor(new PostForm { Version = 7 }, isNew: false, status: "published");

        Assert.Equal("7", cut.Find("input[name='Model.Version']").GetAttribute("value"));
    }

    [Theory]
    [InlineData("dotnet, Aspire ,#blazor", new[] { "dotnet", "aspire", "blazor" })]
    [InlineData("a a  b", new[] { "a", "b" })]
    [InlineData("", new string[0])]
    public void TagsAreSplitLowerCasedAndDeduplicated(string tags, string[] expected)
    {
        Assert.Equal(expected, new PostForm { Tags = tags }.TagList());
    }
}
