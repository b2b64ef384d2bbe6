using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// A Reader: signing up, commenting, their account, signing out, and the pages they may not reach. Headless chromium against the real AppHost (embedded mode); each
/// scenario leaves a screenshot under TestResults/screenshots/ in the test output directory.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ReaderScenarioTests(BlogBrowserFixture fixture)
{
    private const string Password = BrowserApiSetup.Password;

    [Fact]
    public async Task AReaderSignsUpAndComments()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("writer", "Author", Password);
        var title = $"Welcome readers {Guid.NewGuid():N}"[..28];
        var slug = await fixture.Setup.CreatePostAsync(await fixture.Setup.SignInApiAsync(author, Password), title, "Say **hello** below.", ["welcome"]);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign up" }).ClickAsync();

        var username = fixture.Setup.NewUsername("reader");
        await page.Locator("#username").FillAsync(username);
        await page.Locator("#email").FillAsync($"{username}@blog.test");
        await page.Locator("#displayName").FillAsync("Rita Reader");
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirmPassword").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.Locator(".user-chip")).ToContainTextAsync("Rita Reader");
        await Expect(page.Locator(".user-chip .role-badge")).ToHaveTextAsync("Reader");

        await page.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync(title);
        await page.Locator("#new-comment").FillAsync("Great first post, thanks!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();

        var comment = page.Locator(".comment").Filter(new() { HasText = "Great first post, thanks!" });
        await Expect(comment).ToBeVisibleAsync();
        await Expect(comment.Locator(".author")).ToHaveTextAsync("Rita Reader");

        // Edit own comment.
        await comment.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await page.Locator("#edit-comment-body").FillAsync("Great first post, thanks! (edited)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save comment" }).ClickAsync();
        await Expect(page.Locator(".comment-body").Filter(new() { HasText = "(edited)" })).ToBeVisibleAsync();
        await Expect(page.Locator("#comments-title")).ToHaveTextAsync("Comments (1)");

        await session.ScreenshotAsync("reader-signs-up-and-comments");
        Assert.Empty(session.ConsoleErrors);
        Assert.Equal($"/posts/{slug}", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task SignUpShowsValidationErrorsNextToTheFields()
    {
        fixture.SkipIfUnavailable();
        var taken = await fixture.Setup.CreateUserAsync("taken", "Reader", Password);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync("/account/signup");

        // A taken username: the API's 409 lands on the username field.
        var fresh = fixture.Setup.NewUsername("fresh");
        await page.Locator("#username").FillAsync(taken);
        await page.Locator("#email").FillAsync($"{fresh}@blog.test");
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirmPassword").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator(".field:has(#username) .validation-message")).ToContainTextAsync("already taken");
        await Expect(page.Locator("#username")).ToHaveValueAsync(taken);

        // An email the form lets through but the API refuses (its 400 validation problem): on the email field.
        await page.Locator("#username").FillAsync(fresh);
        await page.Locator("#email").FillAsync(new string('a', 250) + "@blog.test");
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirmPassword").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator(".field:has(#email) .validation-message")).ToContainTextAsync("254");
        await Expect(page.Locator(".field:has(#username) .validation-message")).ToHaveCountAsync(0);

        // A taken email.
        await page.Locator("#email").FillAsync($"{taken}@blog.test");
        await page.Locator("#password").FillAsync(Password);
        await page.Locator("#confirmPassword").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator(".field:has(#email) .validation-message")).ToContainTextAsync("already taken");
        await Expect(page.Locator(".field:has(#username) .validation-message")).ToHaveCountAsync(0);

        // A too-short password.
        await page.Locator("#email").FillAsync($"{fresh}@blog.test");
        await page.Locator("#password").FillAsync("short");
        await page.Locator("#confirmPassword").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator(".field:has(#password) .validation-message")).ToContainTextAsync("at least 8 characters");
        await session.ScreenshotAsync("signup-validation-errors");

        Assert.Equal("/account/signup", new Uri(page.Url).AbsolutePath);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task AReaderCannotReachTheEditor()
    {
        fixture.SkipIfUnavailable();
        var reader = await fixture.Setup.CreateUserAsync("plain", "Reader", Password);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(reader, Password);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Write", Exact = true })).ToHaveCountAsync(0);

        var response = await page.GotoAsync("/write/new");
        Assert.Equal(403, response!.Status);
        await Expect(page.Locator("h1")).ToHaveTextAsync("You don't have access to this page");
        await Expect(page.Locator("#post-title")).ToHaveCountAsync(0);
        await session.ScreenshotAsync("reader-cannot-reach-editor");

        var admin = await page.GotoAsync("/admin/users");
        Assert.Equal(403, admin!.Status);
    }

    [Fact]
    public async Task AReaderDeletesTheirOwnCommentButNotOthers()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.Setup.CreateUserAsync("poster", "Author", Password);
        var slug = await fixture.Setup.CreatePostAsync(await fixture.Setup.SignInApiAsync(author, Password), "Second thoughts", "Comment below.", ["comments"]);
        var other = await fixture.Setup.CreateUserAsync("other", "Reader", Password);
        await fixture.Setup.AddCommentAsync(await fixture.Setup.SignInApiAsync(other, Password), slug, "Someone else's opinion.");
        var reader = await fixture.Setup.CreateUserAsync("regret", "Reader", Password);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(reader, Password);
        await page.GotoAsync($"/posts/{slug}");
        await page.Locator("#new-comment").FillAsync("Oops, I meant to say something else.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Post comment" }).ClickAsync();
        var mine = page.Locator(".comment").Filter(new() { HasText = "Oops, I meant to say something else." });
        await Expect(mine).ToBeVisibleAsync();
        await Expect(page.Locator("#comments-title")).ToHaveTextAsync("Comments (2)");

        var theirs = page.Locator(".comment").Filter(new() { HasText = "Someone else's opinion." });
        await Expect(theirs.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
        await Expect(theirs.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToHaveCountAsync(0);

        await mine.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.Locator(".notice-success")).ToHaveTextAsync("The comment was deleted.");
        await Expect(mine).ToHaveCountAsync(0);
        await Expect(page.Locator("#comments-title")).ToHaveTextAsync("Comments (1)");
        await Expect(theirs).ToBeVisibleAsync();
        await session.ScreenshotAsync("reader-deleted-own-comment");

        await page.ReloadAsync();
        await Expect(page.GetByText("Oops, I meant to say something else.")).ToHaveCountAsync(0);
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task MyAccountEditsTheProfileAndChangesThePasswordWithoutLosingTheSession()
    {
        fixture.SkipIfUnavailable();
        var user = await fixture.Setup.CreateUserAsync("account", "Reader", Password);
        const string NewPassword = "N3w-Passw0rd-Even-Better";

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(user, Password);
        await page.Locator(".user-chip").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("My account");

        await page.Locator("#displayName").FillAsync("Ada Account");
        await page.Locator("#bio").FillAsync("I read everything twice.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Expect(page.Locator(".notice-success")).ToContainTextAsync("Your profile was saved.");
        await Expect(page.Locator(".user-chip")).ToContainTextAsync("Ada Account");
        await Expect(page.Locator("#displayName")).ToHaveValueAsync("Ada Account");

        await page.GetByRole(AriaRole.Link, new() { Name = "View public profile" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Ada Account");
        await Expect(page.Locator(".profile-bio")).ToHaveTextAsync("I read everything twice.");

        // A wrong current password: the API's validation error next to that field.
        await page.GotoAsync("/account");
        await page.Locator("#currentPassword").FillAsync("not-my-password");
        await page.Locator("#newPassword").FillAsync(NewPassword);
        await page.Locator("#confirmPassword").FillAsync(NewPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator(".field:has(#currentPassword) .validation-message")).ToHaveTextAsync("The current password is incorrect.");

        await page.Locator("#currentPassword").FillAsync(Password);
        await page.Locator("#newPassword").FillAsync(NewPassword);
        await page.Locator("#confirmPassword").FillAsync(NewPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        await Expect(page.Locator(".notice-success")).ToContainTextAsync("Your password was changed.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await session.ScreenshotAsync("account-password-changed");

        // The API revoked every refresh token: the session must live on past the next token refresh regardless.
        var ticket = await fixture.AuthCookies.ReadAsync(session.Context);
        var expiresAt = DateTimeOffset.Parse(ticket!.Properties.GetTokenValue("expires_at")!, CultureInfo.InvariantCulture);
        var untilRefresh = expiresAt - TimeSpan.FromSeconds(60) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2);
        if (untilRefresh > TimeSpan.Zero)
        {
            await Task.Delay(untilRefresh, TestContext.Current.CancellationToken);
        }

        await page.ReloadAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("My account");
        await Expect(page.Locator(".user-chip")).ToContainTextAsync("Ada Account");
        Assert.NotEqual(ticket.Properties.GetTokenValue("refresh_token"),
            (await fixture.AuthCookies.ReadAsync(session.Context))!.Properties.GetTokenValue("refresh_token"));

        // The old password no longer works; the new one does.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/account/signin");
        await page.Locator("#login").FillAsync(user);
        await page.Locator("#password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(".notice-error")).ToContainTextAsync("incorrect");
        await session.SignInAsync(user, NewPassword);
        await Expect(page.Locator(".user-chip")).ToContainTextAsync("Ada Account");
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task SigningOutClearsTheCookieAndRevokesTheRefreshToken()
    {
        fixture.SkipIfUnavailable();
        var user = await fixture.Setup.CreateUserAsync("leaver", "Reader", Password);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(user, Password);
        var ticket = await fixture.AuthCookies.ReadAsync(session.Context);
        var refreshToken = ticket!.Properties.GetTokenValue("refresh_token");
        Assert.False(string.IsNullOrEmpty(refreshToken));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".notice-signed-out")).ToHaveCountAsync(0);
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        Assert.DoesNotContain(await session.Context.CookiesAsync(), c => c.Name.StartsWith(AuthCookieReader.AuthCookieName, StringComparison.Ordinal));
        await session.ScreenshotAsync("signed-out");

        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.Setup.RefreshStatusAsync(refreshToken!));

        var account = await page.GotoAsync("/account");
        Assert.Equal(200, account!.Status);
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));
        Assert.Empty(session.ConsoleErrors);
    }
}
