using Blog.Api.Storage;
using Blog.Tests.Api;

namespace Blog.Tests.Web;

/// <summary>The web's sign-in session against the real API, in memory: sign-out, sessions ended elsewhere, two tabs.</summary>
public sealed class WebSessionTests(BlogWebFactory web) : IClassFixture<BlogWebFactory>
{
    [Fact]
    public async Task ASignOutPostWithoutAnAntiforgeryTokenIsRefusedAndTheSessionStays()
    {
        var (browser, _) = await SignedInBrowserAsync();

        var bare = await browser.PostAsync("/account/signout", null, Ct);
        var formWithoutToken = await browser.PostAsync("/account/signout", new FormUrlEncodedContent([]), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, formWithoutToken.StatusCode);
        Assert.True(await BlogWebFactory.ShowsSignedInAsync(browser));

        // The control: the header's own form, with its token, signs out.
        var token = await BlogWebFactory.AntiforgeryTokenAsync(browser, "/");
        var signOut = await browser.PostAsync("/account/signout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.False(await BlogWebFactory.ShowsSignedInAsync(browser));
    }

    [Fact]
    public async Task AfterAnAdminPasswordResetTheWebShowsTheUserSignedOutOnTheNextRequest()
    {
        var (browser, username) = await SignedInBrowserAsync();
        var admin = await web.Api.CreateClientAsync(Roles.Admin);

        var reset = await admin.PutAsJsonAsync($"/api/users/{username}/password", new { newPassword = "Reset-by-the-Admin-1" }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.False(await BlogWebFactory.ShowsSignedInAsync(browser));
    }

    [Fact]
    public async Task TwoTabsRefreshingTheTokensStaySignedIn()
    {
        // Access tokens shorter than the web's refresh margin: every page request refreshes.
        await using var app = new BlogWebFactory().WithApiSettings(("Jwt:AccessTokenLifetime", "00:00:30"));
        var (user, _) = await app.Api.CreateUserWithTokensAsync(Roles.Reader);
        var tabA = new CookieContainer();
        var browserA = app.CreateBrowser(tabA);
        await BlogWebFactory.SignInAsync(browserA, user.Username, BlogApiFactory.UserPassword);
        // The second tab sends the cookie as it was before the first tab's refresh rewrote it.
        var browserB = app.CreateBrowser(BlogWebFactory.Copy(tabA));

        Assert.True(await BlogWebFactory.ShowsSignedInAsync(browserA));
        Assert.True(await BlogWebFactory.ShowsSignedInAsync(browserB));
        var together = await Task.WhenAll(
            BlogWebFactory.ShowsSignedInAsync(browserA), BlogWebFactory.ShowsSignedInAsync(browserB),
            BlogWebFactory.ShowsSignedInAsync(browserA), BlogWebFactory.ShowsSignedInAsync(browserB));
        Assert.All(together, Assert.True);
        Assert.True(await BlogWebFactory.ShowsSignedInAsync(browserA));
        Assert.True(await BlogWebFactory.ShowsSignedInAsync(browserB));
    }

    private async Task<(HttpClient Browser, string Username)> SignedInBrowserAsync()
    {
        var (user, _) = await web.Api.CreateUserWithTokensAsync(Roles.Reader);
        var browser = web.CreateBrowser();
        await BlogWebFactory.SignInAsync(browser, user.Username, BlogApiFactory.UserPassword);
        Assert.True(await BlogWebFactory.ShowsSignedInAsync(browser));
        return (browser, user.Username);
    }
}
