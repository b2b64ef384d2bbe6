using Blog.Api.Auth;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>One password policy on every path that sets a password.</summary>
public sealed class PasswordPolicyTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    [Fact]
    public void TheBlocklistHoldsTheThirtyThousandPasswordsOfTheShippedList()
    {
        Assert.Equal(30_000, CommonPasswords.Count);
        Assert.True(CommonPasswords.Contains("password"));
        Assert.True(CommonPasswords.Contains("PassWord123"));
        Assert.False(CommonPasswords.Contains("correct horse battery staple"));
        // The licence of the list travels with it.
        var folder = Path.Combine(RepositoryRoot(), "Blog.Api", "Auth", "CommonPasswords");
        Assert.Contains("Dropbox", File.ReadAllText(Path.Combine(folder, "LICENSE.txt")));
        Assert.Equal(30_000, File.ReadLines(Path.Combine(folder, "common-passwords.txt")).Count());
    }

    [Theory]
    [InlineData("password")]
    [InlineData("password123")]
    [InlineData("PASSWORD123")]
    [InlineData("iloveyou")]
    public async Task RegistrationRefusesACommonPasswordInAnyCaseNamingThePasswordField(string password)
    {
        var username = ApiDriver.NewUsername();
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/register",
            new { username, email = $"{username}@example.test", password }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["password"], errors.Keys);
        Assert.Equal(PasswordPolicy.CommonReason, Assert.Single(errors["password"]));
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync($"/api/users/{username}", Ct)).StatusCode);
    }

    [Fact]
    public async Task RegistrationRefusesAPasswordEqualToTheUsernameOrTheEmailInAnyCase()
    {
        var username = ApiDriver.NewUsername();
        var email = $"{username}@example.test";

        foreach (var password in new[] { username.ToUpperInvariant(), email.ToUpperInvariant() })
        {
            var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/register", new { username, email, password }, Ct);

            var errors = await response.ReadValidationErrorsAsync();
            Assert.Equal(PasswordPolicy.SameAsAccountReason, Assert.Single(errors["password"]));
        }
    }

    [Fact]
    public async Task ChangingMyPasswordRefusesACommonOneOrMyUsernameWithoutSpendingAnAttempt()
    {
        var (client, user) = await factory.CreateUserAsync(Roles.Reader);

        foreach (var newPassword in new[] { "password123", user.Username, user.Email })
        {
            var response = await client.PutAsJsonAsync("/api/users/me/password",
                new { currentPassword = BlogApiFactory.UserPassword, newPassword }, Ct);

            var errors = await response.ReadValidationErrorsAsync();
            Assert.Equal(["newPassword"], errors.Keys);
        }

        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().LoginAsync(user.Username, BlogApiFactory.UserPassword)).StatusCode);
    }

    [Fact]
    public async Task AnAdminResetRefusesACommonPasswordOrTheUsersEmail()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var admin = await factory.CreateClientAsync(Roles.Admin);

        foreach (var newPassword in new[] { "qwertyuiop", user.Email })
        {
            var response = await admin.PutAsJsonAsync($"/api/users/{user.Username}/password", new { newPassword }, Ct);

            var errors = await response.ReadValidationErrorsAsync();
            Assert.Equal(["newPassword"], errors.Keys);
        }

        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().LoginAsync(user.Username, BlogApiFactory.UserPassword)).StatusCode);
    }

    [Fact]
    public async Task WithTheBlocklistTurnedOffACommonPasswordIsAcceptedButTheUsernameStillIsNot()
    {
        await using var lenient = new BlogApiFactory().WithSettings(("Blog:Passwords:BlockCommon", "false"));
        var client = lenient.CreateClient();
        var username = ApiDriver.NewUsername();

        var common = await client.PostAsJsonAsync("/api/auth/register", new { username, email = $"{username}@example.test", password = "password123" }, Ct);
        var other = ApiDriver.NewUsername();
        var sameAsUsername = await client.PostAsJsonAsync("/api/auth/register", new { username = other, email = $"{other}@example.test", password = other }, Ct);

        Assert.Equal(HttpStatusCode.Created, common.StatusCode);
        Assert.Equal(["password"], (await sameAsUsername.ReadValidationErrorsAsync()).Keys);
    }

    [Fact]
    public async Task TheAdminBootstrapRefusesACommonPassword()
    {
        await using var weak = new BlogApiFactory().WithSettings(("Admin:Password", "password1234"));

        var response = await weak.CreateClient().GetAsync($"/api/users/{BlogApiFactory.AdminUsername}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Blog.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Blog.sln not found above the test binaries.");
    }
}
