using Microsoft.Playwright;

namespace Blog.Tests.Web.Browser;

/// <summary>One browser context and page, with what went wrong on the page collected for assertions.</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page, string screenshotDirectory) : IAsyncDisposable
{
    private readonly List<string> _consoleErrors = Track(page);
    private readonly List<string> _dialogs = TrackDialogs(page);

    public IPage Page { get; } = page;

    public IBrowserContext Context { get; } = context;

    /// <summary>Console errors, including Content-Security-Policy violations and failed scripts.</summary>
    public IReadOnlyList<string> ConsoleErrors => _consoleErrors;

    /// <summary>alert/confirm/prompt dialogs the page opened (each is dismissed).</summary>
    public IReadOnlyList<string> Dialogs => _dialogs;

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(screenshotDirectory, $"{name}.png");
        // A full-page shot of a scrolled page draws the sticky header over the middle of it.
        await Page.EvaluateAsync("window.scrollTo(0, 0)");
        await Page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }

    public async Task SignInAsync(string login, string password)
    {
        await Page.GotoAsync("/account/signin");
        await Page.Locator("#login").FillAsync(login);
        await Page.Locator("#password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
    }

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();

    private static List<string> Track(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return errors;
    }

    private static List<string> TrackDialogs(IPage page)
    {
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add($"{dialog.Type}: {dialog.Message}");
            }

            await dialog.DismissAsync();
        };
        return dialogs;
    }
}
