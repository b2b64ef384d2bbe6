using Blog.Api.Auth;
using Blog.Api.Http;
using Blog.Api.Storage;
using Blog.Api.Users;

namespace Blog.Tests.Api;

public sealed class UsersApiTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    [Fact]
    public async Task AProfileIsPublicAndShowsNoPrivateFields()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Author);

        var response = await factory.CreateClient().GetAsync($"/api/users/{user.Username.ToUpperInvariant()}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("email", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("password", json, StringComparison.OrdinalIgnoreCase);
        var profile = await response.ReadAsync<ProfileResponse>();
        Assert.Equal(new ProfileResponse(user.Username, user.DisplayName, user.Bio, Roles.Author, user.CreatedAt), profile);
    }

    [Fact]
    public async Task AnUnknownProfileIs404ProblemDetails()
    {
        var response = await factory.CreateClient().GetAsync("/api/users/nobody-here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task UpdatingMyProfileChangesDisplayNameAndBioOnly()
    {
        var (client, user) = await factory.CreateUserAsync(Roles.Reader);

        var response = await client.PutAsJsonAsync("/api/users/me",
            new { displayName = "  New Name ", bio = "Writes about LiteDB.", role = "Admin", username = "hijack" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = await response.ReadAsync<UserResponse>();
        Assert.Equal(user with { DisplayName = "New Name", Bio = "Writes about LiteDB." }, updated);
        var profile = await (await factory.CreateClient().GetAsync($"/api/users/{user.Username}", Ct)).ReadAsync<ProfileResponse>();
        Assert.Equal("New Name", profile.DisplayName);
    }

    [Fact]
    public async Task UpdatingMyProfileValidatesByJsonFieldName()
    {
        var (client, _) = await factory.CreateUserAsync(Roles.Reader);

        var response = await client.PutAsJsonAsync("/api/users/me", new { displayName = " ", bio = new string('b', 1001) }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["bio", "displayName"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ChangingMyPasswordNeedsTheCurrentOne()
    {
        var (client, _) = await factory.CreateUserAsync(Roles.Reader);

        var response = await client.PutAsJsonAsync("/api/users/me/password",
            new { currentPassword = "not it", newPassword = "a brand new password" }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["currentPassword"], errors.Keys);
    }

    [Fact]
    public async Task ChangingMyPasswordSwapsPasswordsAndRevokesRefreshTokens()
    {
        var (user, tokens) = await factory.CreateUserWithTokensAsync(Roles.Reader);
        var anonymous = factory.CreateClient();
        var otherDevice = await (await anonymous.LoginAsync(user.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>();

        var response = await factory.CreateClient(tokens.AccessToken).PutAsJsonAsync("/api/users/me/password",
            new { currentPassword = BlogApiFactory.UserPassword, newPassword = "a brand new password" }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(otherDevice.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(tokens.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.LoginAsync(user.Username, BlogApiFactory.UserPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Username, "a brand new password")).StatusCode);
    }

    [Fact]
    public async Task AdminsListUsersPagedWithACappedPageSize()
    {
        var admin = await factory.CreateClientAsync(Roles.Admin);
        var marker = $"m{Guid.NewGuid():N}"[..10];
        for (var i = 0; i < 3; i++)
        {
            await factory.CreateUserAsync(Roles.Reader, $"{marker}-{i}");
        }

        var page1 = await (await admin.GetAsync($"/api/users?q={marker.ToUpperInvariant()}&page=1&pageSize=2", Ct)).ReadAsync<PageResponse<UserResponse>>();
        var page2 = await (await admin.GetAsync($"/api/users?q={marker}&page=2&pageSize=2", Ct)).ReadAsync<PageResponse<UserResponse>>();
        var capped = await (await admin.GetAsync("/api/users?pageSize=100000", Ct)).ReadAsync<PageResponse<UserResponse>>();

        Assert.Equal(3, page1.Total);
        Assert.Equal([$"{marker}-0", $"{marker}-1"], page1.Items.Select(u => u.Username));
        Assert.Equal((1, 2), (page1.Page, page1.PageSize));
        Assert.Equal([$"{marker}-2"], page2.Items.Select(u => u.Username));
        Assert.Equal(Paging.Users.MaxPageSize, capped.PageSize);
    }

    [Fact]
    public async Task APromotionTakesEffectOnTheNextRequest()
    {
        var (client, user) = await factory.CreateUserAsync(Roles.Reader);
        var admin = await factory.CreateClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/users", Ct)).StatusCode);

        var response = await admin.PutAsJsonAsync($"/api/users/{user.Username}/role", new { role = "admin" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Roles.Admin, (await response.ReadAsync<UserResponse>()).Role);
        // Same access token, minted when the user was a Reader.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users", Ct)).StatusCode);
        Assert.Equal(Roles.Admin, (await (await client.GetAsync("/api/auth/me", Ct)).ReadAsync<UserResponse>()).Role);
    }

    [Fact]
    public async Task ADemotionTakesEffectOnTheNextRequest()
    {
        var (client, user) = await factory.CreateUserAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/users", Ct)).StatusCode);
        var admin = await factory.CreateClientAsync(Roles.Admin);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/users/{user.Username}/role", new { role = Roles.Editor }, Ct)).StatusCode);

        var refused = await client.GetAsync("/api/users", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await refused.ReadProblemAsync();
    }

    [Fact]
    public async Task AnUnknownRoleIsAValidationError()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var admin = await factory.CreateClientAsync(Roles.Admin);

        var response = await admin.PutAsJsonAsync($"/api/users/{user.Username}/role", new { role = "SuperAdmin" }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["role"], errors.Keys);
    }

    [Theory]
    [InlineData("PUT", "/role")]
    [InlineData("POST", "/disable")]
    [InlineData("POST", "/enable")]
    [InlineData("PUT", "/password")]
    public async Task AdminActionsOnAnUnknownUserAre404(string method, string action)
    {
        var admin = await factory.CreateClientAsync(Roles.Admin);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/users/nobody-{Guid.NewGuid():N}"[..30] + action)
        {
            Content = JsonContent.Create(new { role = Roles.Author, newPassword = "long enough password" }),
        };

        var response = await admin.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task DisablingAndEnablingAUserIsReflectedInTheResponse()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var admin = await factory.CreateClientAsync(Roles.Admin);

        var disabled = await admin.PostAsync($"/api/users/{user.Username}/disable", null, Ct);
        var enabled = await admin.PostAsync($"/api/users/{user.Username}/enable", null, Ct);

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.True((await disabled.ReadAsync<UserResponse>()).Disabled);
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.False((await enabled.ReadAsync<UserResponse>()).Disabled);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().LoginAsync(user.Username, BlogApiFactory.UserPassword)).StatusCode);
    }

    [Fact]
    public async Task AnAdminPasswordResetRevokesTheUsersRefreshTokens()
    {
        var (user, tokens) = await factory.CreateUserWithTokensAsync(Roles.Author);
        var anonymous = factory.CreateClient();
        var admin = await factory.CreateClientAsync(Roles.Admin);

        var response = await admin.PutAsJsonAsync($"/api/users/{user.Username}/password", new { newPassword = "reset by the admin" }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.RefreshAsync(tokens.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.LoginAsync(user.Username, "reset by the admin")).StatusCode);
    }

    [Fact]
    public async Task AnAdminPasswordResetValidatesTheNewPassword()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var admin = await factory.CreateClientAsync(Roles.Admin);

        var response = await admin.PutAsJsonAsync($"/api/users/{user.Username}/password", new { newPassword = "short" }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["newPassword"], errors.Keys);
    }
}
