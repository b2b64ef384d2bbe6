using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// Someone not signed in: the home page, tags and search, profiles and unknown pages. Headless chromium against the real AppHost (embedded mode); each
/// scenario leaves a screenshot under TestResults/screenshots/ in the test output directory.
/// </summary>
[Collection(BrowserCollection.Name)]
public class VisitorScenarioTests(BlogBrowserFixture fixture)
{
    private const string Password = BrowserApiSetup.Password;

    [Fact]
    public async Task TheHomePageFitsAPhoneScreen()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("phone", "Author", Password);
        var token = await fixture.Setup.SignInApiAsync(author, Password);
        await fixture.Setup.CreatePostAsync(token, "Reading on a small screen", "Short paragraphs help.", ["mobile", "css"],
            summary: "Layouts that work at 390 pixels wide, with long words like supercalifragilisticexpialidocious.");

        await using var session = await fixture.NewSessionAsync(width: 390, height: 844);
        var page = session.Page;
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Reading on a small screen" }).First).ToBeVisibleAsync();
        await session.ScreenshotAsync("home-phone-390");

        // The header keeps the page's side margin: the logo does not touch the screen's edge.
        var brand = await page.Locator(".brand").BoundingBoxAsync();
        var firstCard = await page.Locator(".post-card").First.BoundingBoxAsync();
        Assert.True(brand!.X >= 12, $"The logo starts {brand.X}px from the left edge.");
        Assert.Equal(firstCard!.X, brand.X, 1.0);

        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The page scrolls sideways by {overflow}px at 390px wide.");
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task HomeFiltersByTagAndSearchWithEnhancedNavigationUnderTheCsp()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("tagger", "Author", Password);
        var token = await fixture.Setup.SignInApiAsync(author, Password);
        var unique = $"zebra{Guid.NewGuid():N}"[..14];
        await fixture.Setup.CreatePostAsync(token, $"Tagged {unique}", "Filtered by tag.", [unique]);
        await fixture.Setup.CreatePostAsync(token, "Another post", $"Mentions {unique}searchable in the body.", ["other"]);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        var response = await page.GotoAsync("/");
        var headers = await response!.AllHeadersAsync();
        Assert.Contains("script-src 'self'", headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);

        // Blazor's script loaded under the CSP: enhanced navigation swaps the page without a full load.
        await page.EvaluateAsync("window.__marker = 'still-here'");
        await page.Locator(".tag-cloud").GetByRole(AriaRole.Link, new() { Name = $"#{unique}" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Posts tagged #{unique}");
        await Expect(page.Locator(".post-card")).ToHaveCountAsync(1);
        Assert.Equal("still-here", await page.EvaluateAsync<string>("window.__marker"));

        await page.GotoAsync("/");
        await page.Locator("#search-q").FillAsync($"{unique}searchable");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator(".post-card")).ToHaveCountAsync(1);
        await Expect(page.Locator(".post-card-title")).ToHaveTextAsync("Another post");
        await session.ScreenshotAsync("home-search");
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task AnAuthorsPublicProfileShowsTheirNameBioAndPublishedPosts()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("profiled", "Author", Password);
        var token = await fixture.Setup.SignInApiAsync(author, Password);
        await fixture.Setup.UpdateProfileAsync(token, "Paula Profile", "Writes about distributed systems.\nDrinks too much tea.");
        var first = await fixture.Setup.CreatePostAsync(token, "Paula on service discovery", "Names, not ports.", ["profile"]);
        await fixture.Setup.CreatePostAsync(token, "Paula on health checks", "Ready or alive?", ["profile"]);
        await fixture.Setup.CreatePostAsync(token, "Paula's unfinished draft", "Not yet.", ["profile"], publish: false);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync($"/posts/{first}");
        await page.Locator(".post-meta").GetByRole(AriaRole.Link, new() { Name = "Paula Profile" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($"/users/{author}$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Paula Profile");
        await Expect(page.Locator(".profile-head")).ToContainTextAsync($"@{author}");
        await Expect(page.Locator(".profile-bio")).ToContainTextAsync("Writes about distributed systems.");
        await Expect(page.Locator(".profile-bio")).ToContainTextAsync("Drinks too much tea.");
        await Expect(page.Locator(".post-card")).ToHaveCountAsync(2);
        await Expect(page.Locator(".post-card-title").Filter(new() { HasText = "Paula on health checks" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Paula's unfinished draft")).ToHaveCountAsync(0);
        await session.ScreenshotAsync("author-profile");

        await using var phone = await fixture.NewSessionAsync(width: 390, height: 844);
        await phone.Page.GotoAsync($"/users/{author}");
        await Expect(phone.Page.Locator(".post-card")).ToHaveCountAsync(2);
        await phone.ScreenshotAsync("author-profile-phone-390");
        var overflow = await phone.Page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"The profile scrolls sideways by {overflow}px at 390px wide.");

        Assert.Empty(session.ConsoleErrors);
        Assert.Empty(phone.ConsoleErrors);

        // (The browser logs the 404 itself as a console error: checked above, before it.)
        var missing = await page.GotoAsync("/users/nobody-by-this-name");
        Assert.Equal(404, missing!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Page not found");
    }

    [Fact]
    public async Task UnknownPagesGetAFriendlyNotFound()
    {
        fixture.SkipIfUnavailable();
        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;

        var missingPost = await page.GotoAsync("/posts/no-such-post-here");
        Assert.Equal(404, missingPost!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Page not found");

        var missingPage = await page.GotoAsync("/this/does/not/exist");
        Assert.Equal(404, missingPage!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Page not found");
        await session.ScreenshotAsync("not-found");
    }
}
