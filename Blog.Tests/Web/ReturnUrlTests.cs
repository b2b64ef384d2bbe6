using Blog.Web.Components.Shared;

namespace Blog.Tests.Web;

/// <summary>The sign-in and sign-up pages' return URL: local paths only, nothing a browser could turn into another site.</summary>
public sealed class ReturnUrlTests
{
    public static TheoryData<string> Hostile =>
    [
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/\r\n/evil.example",
        "\t//evil.example",
        "\t/evil.example",
        " /evil.example",
        "/ /evil.example",
        "/\u0000/evil.example",
        "/\u007f/evil.example",
        "/\u0085/evil.example",
        "/\u00a0/evil.example",
        "/\u2028/evil.example",
        "/\u3000/evil.example",
        "/\u200b/evil.example",
        "/\u202e/evil.example",
        "/\ufeff/evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "/\\/evil.example",
        "/posts/x\\..\\..\\evil",
        "\\\\evil.example",
        "\\/evil.example",
        "https://evil.example",
        "http:evil.example",
        "//evil.example/%2F..",
        "javascript:alert(1)",
        "data:text/html,hi",
        "~/posts",
        "evil.example",
        "",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void AHostileReturnUrlFallsBackToTheHomePage(string returnUrl)
    {
        Assert.False(PostHelpers.IsLocalUrl(returnUrl));
        Assert.Equal("/", PostHelpers.SafeReturnUrl(returnUrl));
    }

    [Fact]
    public void AMissingOrOverlongReturnUrlFallsBackToTheHomePage()
    {
        Assert.Equal("/", PostHelpers.SafeReturnUrl(null));
        Assert.Equal("/", PostHelpers.SafeReturnUrl("/" + new string('a', PostHelpers.MaxReturnUrlLength)));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/posts/hello-world")]
    [InlineData("/admin/users?q=al&page=2")]
    [InlineData("/posts/hello#comments-title")]
    [InlineData("/posts/caf%C3%A9")]
    [InlineData("/users/%2F%2Fnot-a-host")]
    public void ALocalPathIsKept(string returnUrl) => Assert.Equal(returnUrl, PostHelpers.SafeReturnUrl(returnUrl));
}
