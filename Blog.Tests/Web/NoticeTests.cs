using Blog.Tests.Api;

namespace Blog.Tests.Web;

/// <summary>Success notices after a redirect come from fixed codes: a link cannot make the site say something.</summary>
public sealed class NoticeTests(BlogWebFactory web) : IClassFixture<BlogWebFactory>
{
    [Fact]
    public async Task TheAdminUsersPageShowsOnlyItsOwnNoticesNeverTextFromTheUrl()
    {
        var browser = web.CreateBrowser();
        await BlogWebFactory.SignInAsync(browser, BlogApiFactory.AdminUsername, BlogApiFactory.AdminPassword);
        const string Forged = "Your account is compromised, call 555-0100 now";

        var forged = await browser.GetStringAsync("/admin/users?done=" + Uri.EscapeDataString(Forged), Ct);
        var forgedUser = await browser.GetStringAsync("/admin/users?done=enabled&user=" + Uri.EscapeDataString(Forged), Ct);
        var known = await browser.GetStringAsync("/admin/users?done=disabled", Ct);
        var named = await browser.GetStringAsync($"/admin/users?done=role-changed&user={BlogApiFactory.AdminUsername}", Ct);

        Assert.DoesNotContain(Forged, forged, StringComparison.Ordinal);
        Assert.DoesNotContain("notice-success", forged, StringComparison.Ordinal);
        Assert.DoesNotContain(Forged, forgedUser, StringComparison.Ordinal);
        Assert.Contains("The account was enabled", forgedUser, StringComparison.Ordinal);
        Assert.Contains("The account was disabled", known, StringComparison.Ordinal);
        // A listed user is named, with the role the API reports.
        Assert.Contains($"{BlogApiFactory.AdminUsername} is now Admin.", named, StringComparison.Ordinal);
    }
}
