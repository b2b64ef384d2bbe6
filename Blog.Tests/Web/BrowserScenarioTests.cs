using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Blog.Tests.AppHost;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Blog.Tests.Web;

/// <summary>
/// The blog as people use it: headless chromium against the real AppHost (embedded mode). Each scenario leaves a
/// screenshot under TestResults/screenshots/ in the test output directory.
/// </summary>
[Collection(BrowserCollection.Name)]
public class BrowserScenarioTests(BlogBrowserFixture fixture)
{
    private const string Password = "Str0ng-Passw0rd-42";

    [Fact]
    public async Task AReaderSignsUpAndComments()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.CreateUserAsync("writer", "Author", Password);
        var title = $"Welcome readers {Guid.NewGuid():N}"[..28];
        var slug = await fixture.CreatePostAsync(await fixture.SignInApiAsync(author, Password), title, "Say **hello** below.", ["welcome"]);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign up" }).ClickAsync();

        var username = fixture.NewUsername("reader");
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
    public async Task AnAuthorWritesPreviewsPublishesEditsAndDeletesAPost()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.CreateUserAsync("author", "Author", Password);
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
        var author = await fixture.CreateUserAsync("stale", "Author", Password);
        var token = await fixture.SignInApiAsync(author, Password);
        var slug = await fixture.CreatePostAsync(token, "Version one", "Original body.", ["versions"]);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(author, Password);
        await page.GotoAsync($"/write/edit/{slug}");
        await page.Locator("#post-body").FillAsync("My careful rewrite that must not be lost.");

        // Meanwhile, another edit lands through the API.
        using (var request = new HttpRequestMessage(HttpMethod.Put, $"/api/posts/{slug}")
        {
            Content = JsonContent.Create(new { title = "Version two", summary = "", body = "Someone else's body.", tags = new[] { "versions" } }),
        })
        {
            request.Headers.Authorization = new("Bearer", token);
            request.Headers.IfMatch.Add(new("\"1\""));
            var response = await fixture.Api.SendAsync(request, TestContext.Current.CancellationToken);
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
    public async Task AReaderCannotReachTheEditor()
    {
        fixture.SkipIfUnavailable();
        var reader = await fixture.CreateUserAsync("plain", "Reader", Password);

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
    public async Task AnAdminPromotesAReaderToAuthorAndTheChangeTakesEffect()
    {
        fixture.SkipIfUnavailable();
        var reader = await fixture.CreateUserAsync("promo", "Reader", Password);

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
    public async Task AScriptInAPostsMarkdownIsShownAsTextAndNeverRuns()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.CreateUserAsync("xss", "Author", Password);
        var body = "Look: <script>alert('xss')</script>\n\n<img src=x onerror=\"alert('img')\">\n\n[click](javascript:alert('link'))";
        var slug = await fixture.CreatePostAsync(await fixture.SignInApiAsync(author, Password), "Script injection attempt", body, ["security"]);

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

    [Fact]
    public async Task TheHomePageFitsAPhoneScreen()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.CreateUserAsync("phone", "Author", Password);
        var token = await fixture.SignInApiAsync(author, Password);
        await fixture.CreatePostAsync(token, "Reading on a small screen", "Short paragraphs help.", ["mobile", "css"],
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
        var author = await fixture.CreateUserAsync("tagger", "Author", Password);
        var token = await fixture.SignInApiAsync(author, Password);
        var unique = $"zebra{Guid.NewGuid():N}"[..14];
        await fixture.CreatePostAsync(token, $"Tagged {unique}", "Filtered by tag.", [unique]);
        await fixture.CreatePostAsync(token, "Another post", $"Mentions {unique}searchable in the body.", ["other"]);

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
    public async Task AnEditorHidesACommentThatReadersNoLongerSeeAndUnhidesIt()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.CreateUserAsync("host", "Author", Password);
        var title = $"Moderated {Guid.NewGuid():N}"[..20];
        var slug = await fixture.CreatePostAsync(await fixture.SignInApiAsync(author, Password), title, "Be kind in the comments.", ["moderation"]);
        var commenter = await fixture.CreateUserAsync("spammer", "Reader", Password);
        var commenterToken = await fixture.SignInApiAsync(commenter, Password);
        await fixture.AddCommentAsync(commenterToken, slug, "Buy cheap watches here!");
        await fixture.AddCommentAsync(commenterToken, slug, "A fair point, actually.");
        var editor = await fixture.CreateUserAsync("editor", "Editor", Password);

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
    public async Task AnAdminDisablesAUserWhoIsSignedOutAtOnceAndEnablesThemAgain()
    {
        fixture.SkipIfUnavailable();
        var member = await fixture.CreateUserAsync("member", "Reader", Password);

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
        Assert.Null(await fixture.ReadAuthCookieAsync(memberSession.Context));
        await memberSession.ScreenshotAsync("disabled-user-signed-out");

        // On their other device, a page that needs an account sends them to sign in, saying why.
        await memberPhone.Page.GotoAsync("/account");
        await Expect(memberPhone.Page).ToHaveURLAsync(new Regex("/account/signin"));
        await Expect(memberPhone.Page.Locator(".notice-signed-out")).ToContainTextAsync("You have been signed out");
        await memberPhone.ScreenshotAsync("disabled-user-phone-sent-to-sign-in");
        Assert.Null(await fixture.ReadAuthCookieAsync(memberPhone.Context));

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

    [Fact]
    public async Task AnAuthorsPublicProfileShowsTheirNameBioAndPublishedPosts()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.CreateUserAsync("profiled", "Author", Password);
        var token = await fixture.SignInApiAsync(author, Password);
        await fixture.UpdateProfileAsync(token, "Paula Profile", "Writes about distributed systems.\nDrinks too much tea.");
        var first = await fixture.CreatePostAsync(token, "Paula on service discovery", "Names, not ports.", ["profile"]);
        await fixture.CreatePostAsync(token, "Paula on health checks", "Ready or alive?", ["profile"]);
        await fixture.CreatePostAsync(token, "Paula's unfinished draft", "Not yet.", ["profile"], publish: false);

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
    public async Task MyAccountEditsTheProfileAndChangesThePasswordWithoutLosingTheSession()
    {
        fixture.SkipIfUnavailable();
        var user = await fixture.CreateUserAsync("account", "Reader", Password);
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
        var ticket = await fixture.ReadAuthCookieAsync(session.Context);
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
            (await fixture.ReadAuthCookieAsync(session.Context))!.Properties.GetTokenValue("refresh_token"));

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
        var user = await fixture.CreateUserAsync("leaver", "Reader", Password);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await session.SignInAsync(user, Password);
        var ticket = await fixture.ReadAuthCookieAsync(session.Context);
        var refreshToken = ticket!.Properties.GetTokenValue("refresh_token");
        Assert.False(string.IsNullOrEmpty(refreshToken));

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".notice-signed-out")).ToHaveCountAsync(0);
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        Assert.DoesNotContain(await session.Context.CookiesAsync(), c => c.Name.StartsWith(BlogBrowserFixture.AuthCookieName, StringComparison.Ordinal));
        await session.ScreenshotAsync("signed-out");

        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.RefreshStatusAsync(refreshToken!));

        var account = await page.GotoAsync("/account");
        Assert.Equal(200, account!.Status);
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin"));
        Assert.Empty(session.ConsoleErrors);
    }

    [Fact]
    public async Task AReaderDeletesTheirOwnCommentButNotOthers()
    {
        fixture.SkipIfUnavailable();
        var author = await fixture.CreateUserAsync("poster", "Author", Password);
        var slug = await fixture.CreatePostAsync(await fixture.SignInApiAsync(author, Password), "Second thoughts", "Comment below.", ["comments"]);
        var other = await fixture.CreateUserAsync("other", "Reader", Password);
        await fixture.AddCommentAsync(await fixture.SignInApiAsync(other, Password), slug, "Someone else's opinion.");
        var reader = await fixture.CreateUserAsync("regret", "Reader", Password);

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
    public async Task SignUpShowsValidationErrorsNextToTheFields()
    {
        fixture.SkipIfUnavailable();
        var taken = await fixture.CreateUserAsync("taken", "Reader", Password);

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync("/account/signup");

        // A taken username: the API's 409 lands on the username field.
        var fresh = fixture.NewUsername("fresh");
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
