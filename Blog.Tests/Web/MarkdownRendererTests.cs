using Blog.Web.Infrastructure;

namespace Blog.Tests.Web;

public class MarkdownRendererTests
{
    private readonly MarkdownRenderer _renderer = new();

    [Fact]
    public void ScriptTagsInMarkdownAreShownAsTextNotMarkup()
    {
        var html = _renderer.ToSafeHtml("Hello <script>alert('xss')</script> world");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RawHtmlBlocksAreEscaped()
    {
        var html = _renderer.ToSafeHtml("<img src=x onerror=\"alert(1)\">\n\n<iframe src=\"https://evil.example\"></iframe>");

        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void JavascriptLinksLoseTheirTarget()
    {
        var html = _renderer.ToSafeHtml("[click me](javascript:alert(1))");

        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("click me", html, StringComparison.Ordinal);
    }

    [Fact]
    public void LinksAreKeptWithNofollowAndNoopener()
    {
        var html = _renderer.ToSafeHtml("[Aspire](https://example.com/aspire)");

        Assert.Contains("href=\"https://example.com/aspire\"", html, StringComparison.Ordinal);
        Assert.Contains("rel=\"nofollow ugc noopener noreferrer\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void CommonMarkdownRendersToHtml()
    {
        var html = _renderer.ToSafeHtml("# Title\n\nSome **bold** text.\n\n```csharp\nvar x = 1;\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |");

        Assert.Contains("<h1 id=\"title\">Title</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<code class=\"language-csharp\">var x = 1;", html, StringComparison.Ordinal);
        Assert.Contains("<table>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyMarkdownRendersNothing()
    {
        Assert.Equal("", _renderer.ToSafeHtml("   "));
        Assert.Equal("", _renderer.ToSafeHtml(null));
    }
}
