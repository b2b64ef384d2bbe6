using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Blog.Tests.Web.Browser;

/// <summary>
/// Through the real web and API: someone guessing an account's password as fast as the limits
/// allow cannot keep its owner out of a browser that signed in before (the web's device cookie), and sign-up says why
/// a common password is refused.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SignInAbuseBrowserTests(BlogBrowserFixture fixture)
{
    private const string Password = BrowserApiSetup.Password;
    private const string DeviceCookie = ".Blog.Device";

    [Fact]
    public async Task WhileAnotherClientGuessesThePasswordTheOwnersBrowserSignsInAtTheFirstTry()
    {
        fixture.SkipIfUnavailable();
        var ct = TestContext.Current.CancellationToken;
        var owner = await fixture.Setup.CreateUserAsync("owner", "Reader", Password);

        // The owner signed in from this browser before, and signed out since: the device cookie stays.
        await using var browser = await fixture.NewSessionAsync();
        var page = browser.Page;
        await browser.SignInAsync(owner, Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        var device = Assert.Single(await browser.Context.CookiesAsync(), c => c.Name == DeviceCookie);
        Assert.True(device.HttpOnly);

        // The attacker: four clients sending wrong passwords straight to the API, bounded in count, until told to stop.
        using var stop = new CancellationTokenSource();
        var refusedSeen = new TaskCompletionSource();
        var sent = 0;
        var attackers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= 400)
            {
                using var guess = await fixture.Setup.Api.PostAsJsonAsync("/api/auth/login", new { login = owner, password = "wrong password" }, ct);
                if (guess.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    refusedSeen.TrySetResult();
                }
            }
        }, ct)).ToArray();

        try
        {
            await refusedSeen.Task.WaitAsync(TimeSpan.FromMinutes(2), ct);

            // The attack goes on. A browser that never signed in is told to wait; the owner's signs in.
            await using var stranger = await fixture.NewSessionAsync();
            await stranger.Page.GotoAsync("/account/signin");
            await stranger.Page.Locator("#login").FillAsync(owner);
            await stranger.Page.Locator("#password").FillAsync(Password);
            await stranger.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(stranger.Page.Locator(".notice-error")).ToContainTextAsync("Too many sign-in attempts");

            await browser.SignInAsync(owner, Password);
            await Expect(page.Locator(".user-chip")).ToBeVisibleAsync();
            await browser.ScreenshotAsync("signed-in-under-attack");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(attackers);
        }

        Assert.True(sent > 100, $"the attacker sent {sent} guesses, past the shared limit of 100");
        Assert.Empty(browser.ConsoleErrors);
    }

    [Fact]
    public async Task SignUpShowsWhyACommonPasswordIsRefusedNextToThePassword()
    {
        fixture.SkipIfUnavailable();
        var username = fixture.Setup.NewUsername("common");

        await using var session = await fixture.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync("/account/signup");
        await page.Locator("#username").FillAsync(username);
        await page.Locator("#email").FillAsync($"{username}@blog.test");
        await page.Locator("#password").FillAsync("Password123");
        await page.Locator("#confirmPassword").FillAsync("Password123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.Locator(".field:has(#password) .validation-message")).ToContainTextAsync("too common");
        await session.ScreenshotAsync("signup-common-password");
        Assert.Equal("/account/signup", new Uri(page.Url).AbsolutePath);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToHaveCountAsync(0);
        Assert.Empty(session.ConsoleErrors);
    }
}
