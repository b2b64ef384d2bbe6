using System.Text.RegularExpressions;
using Blog.Tests.AppHost;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// Editors and Admins: hiding comments, promoting and disabling users. Headless chromium against the real AppHost (embedded mode); each
/// scenario leaves a screenshot under TestResults/screenshots/ in the test output directory.
/// </summary>
[Collection(BrowserCollection.Name)]
public class EditorAndAdminScenarioTests(BlogBrowserFixture fixture)
{
    private const string Password = BrowserApiSetup.Password;

    [Fact]
    public async Task AnEditorHidesACommentThatReadersNoLongerSeeAndUnhidesIt()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("host", "Author", Password);
        var title = $"Moderated {Guid.NewGuid():N}"[..20];
        var slug = await fixture.Setup.CreatePostAsync(await fixture.Setup.SignInApiAsync(author, Password), title, "Be kind in the comments.", ["moderation"]);
        var commenter = await fixture.Setup.CreateUserAsync("spammer", "Reader", Password);
        var commenterToken = await fixture.Setup.SignInApiAsync(commenter, Password);
        await fixture.Setup.AddCommentAsync(commenterToken, slug, "Buy cheap watches here!");
        await fixture.Setup.AddCommentAsync(commenterToken, slug, "A fair point, actually.");
        var editor = await fixture.Setup.CreateUserAsync("editor", "Editor", Password);

        // An anonymous reader first, so that the API's output cache holds both comments before the hide.
        await using var readerSession = await fixture.NewSessionAsync();
        var reader = readerSession.Page;
        await reader.GotoAsync($"/posts/{slug}");
        await Expect(reader.Locator(".comment")).ToHaveCountAsync(2);

        await using var editorSession = await fixture.NewSessionAsync();
        var page = editorSession.Page;
        await editorSession.SignInAsync(editor, Password);
        await page.GotoAsync($"/posts/{slug}");
        var spam = page.Locator(".comment").Filter(new() { HasText = "Buy cheap watches here!" });
        await spam.GetByRole(AriaRole.Button, new() { Name = "Hide" }).ClickAsync();

        // The editor still sees it, marked hidden, and can undo.
        await Expect(spam.Locator(".status-badge")).ToHaveTextAsync("Hidden");
        await Expect(spam).ToHaveClassAsync(new Regex("hidden-comment"));
        await Expect(spam.GetByRole(AriaRole.Button, new() { Name = "Unhide" })).ToBeVisibleAsync();
        await Expect(page.Locator(".comment")).ToHaveCountAsync(2);
        await editorSession.ScreenshotAsync("editor-hides-comment");

        await reader.ReloadAsync();
        await Expect(reader.Locator(".comment")).ToHaveCountAsync(1);
        await Expect(reader.GetByText("Buy cheap watches here!")).ToHaveCountAsync(0);
        await Expect(reader.Locator("#comments-title")).ToHaveTextAsync("Comments (1)");
        await readerSession.ScreenshotAsync("reader-does-not-see-hidden-comment");
        await reader.GotoAsync($"/?q={Uri.EscapeDataString(title)}");
        await Expect(reader.Locator(".post-card").Filter(new() { HasText = title })).ToContainTextAsync("1 comment");

        await spam.GetByRole(AriaRole.Button, new() { Name = "Unhide" }).ClickAsync();
        await Expect(spam.Locator(".status-badge")).ToHaveCountAsync(0);
        await Expect(spam.GetByRole(AriaRole.Button, new() { Name = "Hide" })).ToBeVisibleAsync();

        await reader.GotoAsync($"/posts/{slug}");
        await Expect(reader.Locator(".comment")).ToHaveCountAsync(2);
        await Expect(reader.GetByText("Buy cheap watches here!")).ToBeVisibleAsync();
        Assert.Empty(editorSession.ConsoleErrors);
        Assert.Empty(readerSession.ConsoleErrors);
    }

    [Fact]
    public async Task AnAdminPromotesAReaderToAuthorAndTheChangeTakesEffect()
    {
        fixture.SkipIfUnavailable();
        var reader = await fixture.Setup.CreateUserAsync("promo", "Reader", Password);

        await using var readerSession = await fixture.NewSessionAsync();
        await readerSession.SignInAsync(reader, Password);
        await Expect(readerSession.Page.Locator(".user-chip .role-badge")).ToHaveTextAsync("Reader");

        await using var adminSession = await fixture.NewSessionAsync();
        var admin = adminSession.Page;
        await adminSession.SignInAsync(AppHostArgs.AdminUsername, AppHostArgs.AdminPassword);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Admin", Exact = true }).ClickAsync();
        await admin.Locator("#user-q").FillAsync(reader);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        // Wait for the search result itself: the row is on the unfiltered list too, and the enhanced navigation's
        // DOM update would reset a select changed before it lands.
        await admin.WaitForURLAsync(url => url.Contains($"q={reader}", StringComparison.Ordinal));
        await Expect(admin.Locator("table.data tbody tr")).ToHaveCountAsync(1);
        var row = admin.Locator($"tr[data-username='{reader}']");
        await row.Locator("select").SelectOptionAsync("Author");
        await row.GetByRole(AriaRole.Button, new() { Name = "Change role" }).ClickAsync();
        await Expect(admin.Locator(".notice-success")).ToContainTextAsync($"{reader} is now Author");
        await Expect(admin.Locator($"tr[data-username='{reader}'] select")).ToHaveValueAsync("Author");
        await adminSession.ScreenshotAsync("admin-promotes-reader");

        // The reader's very next request reflects the new role: no sign-out needed.
        var page = readerSession.Page;
        await page.ReloadAsync();
        await Expect(page.Locator(".user-chip .role-badge")).ToHaveTextAsync("Author");
        await page.GetByRole(AriaRole.Link, new() { Name = "Write", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New post" }).ClickAsync();
        await Expect(page.Locator("#post-title")).ToBeVisibleAsync();
        await readerSession.ScreenshotAsync("promoted-reader-can-write");
        Assert.Empty(readerSession.ConsoleErrors);
        Assert.Empty(adminSession.ConsoleErrors);
    }

    [Fact]
    public async Task AnAdminDisablesAUserWhoIsSignedOutAtOnceAndEnablesThemAgain()
    {
        fixture.SkipIfUnavailable();
        var member = await fixture.Setup.CreateUserAsync("member", "Reader", Password);

        await using var memberSession = await fixture.NewSessionAsync();
        var page = memberSession.Page;
        await memberSession.SignInAsync(member, Password);
        await using var memberPhone = await fixture.NewSessionAsync(width: 390, height: 844);
        await memberPhone.SignInAsync(member, Password);

        await using var adminSession = await fixture.NewSessionAsync();
        var admin = adminSession.Page;
        await adminSession.SignInAsync(AppHostArgs.AdminUsername, AppHostArgs.AdminPassword);
        await admin.GotoAsync($"/admin/users?q={member}");
        var row = admin.Locator($"tr[data-username='{member}']");
        await Expect(row.Locator(".status-badge")).ToHaveTextAsync("Active");
        await row.GetByRole(AriaRole.Button, new() { Name = "Disable" }).ClickAsync();
        await Expect(admin.Locator(".notice-success")).ToContainTextAsync($"{member} was disabled");
        await Expect(row.Locator(".status-badge")).ToHaveTextAsync("Disabled");
        await adminSession.ScreenshotAsync("admin-disables-user");

        // The member's very next request: signed out, cookie gone, and told why.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".notice-signed-out")).ToContainTextAsync("You have been signed out");
        Assert.Null(await fixture.AuthCookies.ReadAsync(memberSession.Context));
        await memberSession.ScreenshotAsync("disabled-user-signed-out");

        // On their other device, a page that needs an account sends them to sign in, saying why.
        await memberPhone.Page.GotoAsync("/account");
        await Expect(memberPhone.Page).ToHaveURLAsync(new Regex("/account/signin"));
        await Expect(memberPhone.Page.Locator(".notice-signed-out")).ToContainTextAsync("You have been signed out");
        await memberPhone.ScreenshotAsync("disabled-user-phone-sent-to-sign-in");
        Assert.Null(await fixture.AuthCookies.ReadAsync(memberPhone.Context));

        // Signing in again is refused, with the reason.
        await page.GotoAsync("/account");
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));
        await Expect(page.Locator(".notice-signed-out")).ToHaveCountAsync(0);
        await page.Locator("#login").FillAsync(member);
        await page.Locator("#password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(".notice-error")).ToContainTextAsync("This account is disabled.");
        await memberSession.ScreenshotAsync("disabled-user-refused");

        await row.GetByRole(AriaRole.Button, new() { Name = "Enable" }).ClickAsync();
        await Expect(admin.Locator(".notice-success")).ToContainTextAsync($"{member} was enabled");
        await Expect(row.Locator(".status-badge")).ToHaveTextAsync("Active");

        await memberSession.SignInAsync(member, Password);
        await Expect(page.Locator(".user-chip .role-badge")).ToHaveTextAsync("Reader");
        Assert.Empty(memberSession.ConsoleErrors);
        Assert.Empty(memberPhone.ConsoleErrors);
        Assert.Empty(adminSession.ConsoleErrors);
    }
}
