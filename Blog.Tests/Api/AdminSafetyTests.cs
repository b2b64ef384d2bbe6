extern alias BlogApi;

using Blog.Api.Http;
using Blog.Api.Security;
using Blog.Api.Storage;
using Blog.Api.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Blog.Tests.Api;

/// <summary>The first Admin, the last Admin, and start-up refusals. Each test has its own app (own store).</summary>
public sealed class AdminSafetyTests
{
    /// <summary>An app with no bootstrapped Admin, so a test controls exactly which Admins exist.</summary>
    private static BlogApiFactory WithoutBootstrapAdmin() => new BlogApiFactory().WithSettings(("Admin:Password", ""));

    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnceLeaveExactlyOneAdmin()
    {
        await using var factory = WithoutBootstrapAdmin();
        var (a, userA) = await factory.CreateUserAsync(Roles.Admin);
        var (b, userB) = await factory.CreateUserAsync(Roles.Admin);

        var responses = await Task.WhenAll(
            a.PutAsJsonAsync($"/api/users/{userB.Username}/role", new { role = Roles.Reader }, Ct),
            b.PutAsJsonAsync($"/api/users/{userA.Username}/role", new { role = Roles.Reader }, Ct));

        // One wins; the other is refused by the last-Admin rule (409) or, if it was authorized after the demotion, 403.
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(responses, r => r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Forbidden);
        var list = await (await factory.CreateClientAsync(Roles.Admin)).GetAsync("/api/users?pageSize=100", Ct);
        var admins = (await list.ReadAsync<PageResponse<UserResponse>>()).Items.Where(u => u.Role == Roles.Admin).Select(u => u.Id).ToList();
        Assert.Single(admins, id => id == userA.Id || id == userB.Id);
    }

    [Fact]
    public async Task TwoAdminsDisablingEachOtherAtOnceLeaveExactlyOneEnabledAdmin()
    {
        await using var factory = WithoutBootstrapAdmin();
        var (a, userA) = await factory.CreateUserAsync(Roles.Admin);
        var (b, userB) = await factory.CreateUserAsync(Roles.Admin);

        var responses = await Task.WhenAll(
            a.PostAsync($"/api/users/{userB.Username}/disable", null, Ct),
            b.PostAsync($"/api/users/{userA.Username}/disable", null, Ct));

        // The loser is refused by the rule (409) or, disabled first, no longer authenticated (401).
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(responses, r => r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheLastEnabledAdminCannotBeDemotedOrDisabled()
    {
        await using var factory = WithoutBootstrapAdmin();
        var (admin, user) = await factory.CreateUserAsync(Roles.Admin);
        var (_, disabledAdmin) = await factory.CreateUserAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{disabledAdmin.Username}/disable", null, Ct)).StatusCode);

        var demote = await admin.PutAsJsonAsync($"/api/users/{user.Username}/role", new { role = Roles.Editor }, Ct);
        var disable = await admin.PostAsync($"/api/users/{user.Username}/disable", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Contains("Admin", (await demote.ReadProblemAsync()).Detail);
        Assert.Equal(HttpStatusCode.Conflict, disable.StatusCode);
        await disable.ReadProblemAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/users", Ct)).StatusCode);
    }

    [Fact]
    public async Task AnAdminMayStepDownWhenAnotherEnabledAdminRemains()
    {
        await using var factory = new BlogApiFactory();
        var (admin, user) = await factory.CreateUserAsync(Roles.Admin);

        var response = await admin.PutAsJsonAsync($"/api/users/{user.Username}/role", new { role = Roles.Author }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/api/users", Ct)).StatusCode);
    }

    [Fact]
    public async Task TheBootstrapIsIdempotent()
    {
        await using var factory = new BlogApiFactory();
        var bootstrap = factory.Services.GetServices<IHostedService>().OfType<BlogApi::Blog.Api.Security.AdminBootstrap>().Single();

        await bootstrap.StartAsync(Ct);
        await bootstrap.StartAsync(Ct);

        var admin = await factory.CreateClientAsync(Roles.Admin);
        var page = await (await admin.GetAsync($"/api/users?q={BlogApiFactory.AdminUsername}", Ct)).ReadAsync<PageResponse<UserResponse>>();
        var bootstrapped = Assert.Single(page.Items);
        Assert.Equal(Roles.Admin, bootstrapped.Role);
        Assert.Equal(BlogApiFactory.AdminEmail, bootstrapped.Email);
    }

    [Fact]
    public async Task WithoutAnAdminPasswordNoAdminIsBootstrapped()
    {
        await using var factory = WithoutBootstrapAdmin();

        var response = await factory.CreateClient().GetAsync($"/api/users/{BlogApiFactory.AdminUsername}", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task RegisteringTheAdminUsernameBeforeTheBootstrapMakesAReaderNotAnAdmin()
    {
        // The bootstrap only creates a missing user; an existing one keeps its role.
        await using var factory = WithoutBootstrapAdmin();
        var registered = await factory.CreateClient().RegisterAsync(BlogApiFactory.AdminUsername);
        var bootstrap = new BlogApi::Blog.Api.Security.AdminBootstrap(
            factory.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new AdminOptions { Username = BlogApiFactory.AdminUsername, Email = "other@example.test", Password = "long enough password" }),
            factory.Services.GetRequiredService<Microsoft.AspNetCore.Identity.IPasswordHasher<User>>(),
            TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BlogApi::Blog.Api.Security.AdminBootstrap>.Instance);

        await bootstrap.StartAsync(Ct);

        var me = await factory.CreateClient(registered.AccessToken).GetAsync("/api/auth/me", Ct);
        Assert.Equal(Roles.Reader, (await me.ReadAsync<UserResponse>()).Role);
    }

    [Theory]
    [InlineData("Production", null)]
    [InlineData("Production", "too-short-key")]
    [InlineData("Development", "too-short-key")]
    [InlineData("Production", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("Production", "abcdefghijklmnoabcdefghijklmnoabcdefghijklmnoabcdefghijklmno")]
    public void TheApiRefusesToStartWithoutAStrongSigningKey(string environment, string? key)
    {
        using var factory = new EnvironmentFactory(environment).WithSettings(("Jwt:SigningKey", key));

        var error = Record.Exception(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(error is AggregateException aggregate ? aggregate.InnerException : error);
        Assert.Contains("Jwt:SigningKey", validation.Message);
        if (key is not null)
        {
            Assert.DoesNotContain(key, validation.Message);
        }
    }

    [Theory]
    [InlineData(Blog.Tests.AppHost.AppHostArgs.JwtSigningKey)]
    [InlineData(BlogApiFactory.SigningKey)]
    [InlineData(null)]
    public void RandomKeysOfAtLeast256BitsPassTheKeyCheck(string? key)
    {
        // null: a key shaped like the AppHost's generated one, 64 random characters from 62 symbols.
        key ??= System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 64);
        var validator = new BlogApi::Blog.Api.Security.JwtOptionsValidator(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production" });

        var result = validator.Validate(null, new JwtOptions { SigningKey = key });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public async Task InDevelopmentWithoutAKeyTheApiStartsWithAnEphemeralKey()
    {
        await using var factory = new BlogApiFactory().WithSettings(("Jwt:SigningKey", null));
        var registered = await factory.CreateClient().RegisterAsync();

        var me = await factory.CreateClient(registered.AccessToken).GetAsync("/api/auth/me", Ct);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        // A token signed with the usual test key is refused: the ephemeral key really is another one.
        var forged = TestTokens.MintToken(registered.User.Id, Roles.Reader);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient(forged).GetAsync("/api/auth/me", Ct)).StatusCode);
    }

    private sealed class EnvironmentFactory(string environment) : BlogApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
        }
    }
}
