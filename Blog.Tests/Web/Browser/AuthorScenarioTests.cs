using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// An Author: writing, previewing, publishing and editing posts, and what their Markdown may not do. Headless chromium against the real AppHost (embedded mode); each
/// scenario leaves a screenshot under TestResults/screenshots/ in the test output directory.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AuthorScenarioTests(BlogBrowserFixture fixture)
{
    private const string Password = BrowserApiSetup.Password;

    [Fact]
    public async Task AnAuthorWritesPreviewsPublishesEditsAndDeletesAPost()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("author", "Author", Password);
        var title = $"Aspire notes {Guid.NewGuid():N}"[..24];

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(author, Password);

        await page.GetByRole(AriaRole.Link, new() { Name = "Write", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New post" }).ClickAsync();
        await page.Locator("#post-title").FillAsync(title);
        await page.Locator("#post-summary").FillAsync("What I learned wiring an AppHost.");
        await page.Locator("#post-tags").FillAsync("aspire, dotnet");
        await page.Locator("#post-body").FillAsync("## Resources\n\nThe AppHost **orchestrates** everything.\n\n```csharp\nvar api = builder.AddProject<Projects.Api>(\"api\");\n```");

        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        var preview = page.Locator("section.preview");
        await Expect(preview.Locator("h2#resources")).ToHaveTextAsync("Resources");
        await Expect(preview.Locator("strong")).ToHaveTextAsync("orchestrates");
        await Expect(page.Locator("#post-body")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("orchestrates"));
        await session.ScreenshotAsync("author-editor-preview");

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(page.Locator("article h1")).ToHaveTextAsync(title);
        await Expect(page.Locator(".post-body h2")).ToHaveTextAsync("Resources");

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit post" }).ClickAsync();
        await page.Locator("#post-title").FillAsync(title + " (updated)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("article h1")).ToHaveTextAsync(title + " (updated)");
        await session.ScreenshotAsync("author-published-post");

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = title + " (updated)" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = title + " (updated)" }).ClickAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Delete post" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Delete this post?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete post" }).ClickAsync();
        await Expect(page.Locator(".notice-success")).ToContainTextAsync("was deleted");

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = title + " (updated)" })).ToHaveCountAsync(0);
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task AStaleEditShowsAConflictAndKeepsTheAuthorsText()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("stale", "Author", Password);
        var token = await fixture.Setup.SignInApiAsync(author, Password);
        var slug = await fixture.Setup.CreatePostAsync(token, "Version one", "Original body.", ["versions"]);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(author, Password);
        await page.GotoAsync($"/write/edit/{slug}");
        await page.Locator("#post-body").FillAsync("My careful rewrite that must not be lost.");

        // Meanwhile, another edit lands through the API.
        using (var api = fixture.Setup.As(token))
        {
            var response = await api.PutPostAsync(slug, "\"1\"",
                new { title = "Version two", summary = "", body = "Someone else's body.", tags = new[] { "versions" } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator(".conflict")).ToContainTextAsync("changed by someone else");
        await Expect(page.Locator("#post-body")).ToHaveValueAsync("My careful rewrite that must not be lost.");
        await session.ScreenshotAsync("author-stale-edit-conflict");

        // Saving again is a deliberate overwrite of the newer version.
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator(".post-body")).ToContainTextAsync("My careful rewrite that must not be lost.");
    }

    [Fact]
    public async Task AScriptInAPostsMarkdownIsShownAsTextAndNeverRuns()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("xss", "Author", Password);
        var body = "Look: <script>alert('xss')</script>\n\n<img src=x onerror=\"alert('img')\">\n\n[click](javascript:alert('link'))";
        var slug = await fixture.Setup.CreatePostAsync(await fixture.Setup.SignInApiAsync(author, Password), "Script injection attempt", body, ["security"]);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync($"/posts/{slug}");

        var postBody = page.Locator(".post-body");
        await Expect(postBody).ToContainTextAsync("<script>alert('xss')</script>");
        await Expect(postBody.Locator("script, img, iframe")).ToHaveCountAsync(0);
        await postBody.GetByText("click").ClickAsync();
        await page.WaitForTimeoutAsync(500);
        await session.ScreenshotAsync("script-shown-as-text");

        Assert.Empty(session.Dialogs);
        Assert.Equal(0, await page.EvaluateAsync<int>("document.querySelectorAll('.post-body [onerror], .post-body [href^=\"javascript\"]').length"));
    }
}
