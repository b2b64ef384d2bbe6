using Blog.Api.Auth;
using Blog.Api.Storage;
using Blog.Api.Users;

namespace Blog.Tests.Api;

public sealed class AuthApiTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    [Fact]
    public async Task RegisterCreatesAReaderAndSignsIn()
    {
        var client = factory.CreateClient();
        var username = ApiDriver.NewUsername();

        var response = await client.PostAsJsonAsync("/api/auth/register",
            new { username, email = $"{username}@Example.test", password = "correct horse", displayName = "Ada" }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var auth = await response.ReadAsync<AuthResponse>();
        Assert.Equal(username, auth.User.Username);
        Assert.Equal($"{username}@Example.test", auth.User.Email);
        Assert.Equal("Ada", auth.User.DisplayName);
        Assert.Equal(Roles.Reader, auth.User.Role);
        Assert.False(auth.User.Disabled);
        Assert.False(string.IsNullOrEmpty(auth.AccessToken));
        Assert.True(auth.RefreshToken.Length >= 43, "32 random bytes in base64url");
        Assert.InRange(auth.ExpiresAt, DateTime.UtcNow.AddMinutes(14), DateTime.UtcNow.AddMinutes(16));
        Assert.Equal($"/api/users/{username}", response.Headers.Location?.OriginalString);

        var me = await factory.CreateClient(auth.AccessToken).GetAsync("/api/auth/me", Ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(auth.User, await me.ReadAsync<UserResponse>());
    }

    [Fact]
    public async Task RegisterIgnoresARoleOrOtherUnknownFieldsInTheBody()
    {
        var username = ApiDriver.NewUsername();
        var response = await factory.CreateClient().PostRawJsonAsync("/api/auth/register",
            $$"""{"username":"{{username}}","email":"{{username}}@example.test","password":"correct horse","role":"Admin","disabled":true,"id":"x"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var auth = await response.ReadAsync<AuthResponse>();
        Assert.Equal(Roles.Reader, auth.User.Role);
        Assert.False(auth.User.Disabled);
        Assert.NotEqual("x", auth.User.Id);

        var list = await (await factory.CreateClientAsync(Roles.Admin)).GetAsync($"/api/users?q={username}", Ct);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(Roles.Reader, Assert.Single((await list.ReadAsync<Blog.Api.Http.PageResponse<UserResponse>>()).Items).Role);
    }

    [Fact]
    public async Task RegisteringATakenUsernameInAnotherCaseReturns409NamingTheUsername()
    {
        var client = factory.CreateClient();
        var first = await client.RegisterAsync();

        var response = await client.PostAsJsonAsync("/api/auth/register",
            new { username = first.User.Username.ToUpperInvariant(), email = $"other{first.User.Email}", password = "correct horse" }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.Contains("username", problem.Detail);
        Assert.Equal("username", problem.Extensions["field"]?.ToString());
    }

    [Fact]
    public async Task RegisteringATakenEmailInAnotherCaseReturns409NamingTheEmail()
    {
        var client = factory.CreateClient();
        var first = await client.RegisterAsync();

        var response = await client.PostAsJsonAsync("/api/auth/register",
            new { username = ApiDriver.NewUsername(), email = first.User.Email.ToUpperInvariant(), password = "correct horse" }, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.Equal("email", problem.Extensions["field"]?.ToString());
    }

    [Fact]
    public async Task RegisterValidationErrorsAreKeyedByTheCamelCaseJsonFieldNames()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/register",
            new { username = "a", email = "not-an-email", password = "short", displayName = new string('x', 65) }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["displayName", "email", "password", "username"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RegisterWithMissingFieldsReportsEachMissingField()
    {
        var response = await factory.CreateClient().PostRawJsonAsync("/api/auth/register", "{}");

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["email", "password", "username"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("""{"$ne": null}""")]
    [InlineData("has space")]
    [InlineData("dot.name")]
    [InlineData("ünïcode")]
    [InlineData("me")]
    public async Task RegisterRefusesUsernamesOutsideTheRules(string username)
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/register",
            new { username, email = $"{Guid.NewGuid():N}@example.test", password = "correct horse" }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["username"], errors.Keys);
    }

    [Theory]
    [InlineData("/api/auth/register", """{"username": "abc", """)]
    [InlineData("/api/auth/login", """{"login": "abc" "password": "x"}""")]
    [InlineData("/api/auth/login", "not json")]
    [InlineData("/api/auth/login", "")]
    public async Task MalformedJsonReturns400ProblemDetails(string path, string body)
    {
        var response = await factory.CreateClient().PostRawJsonAsync(path, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.False(string.IsNullOrEmpty(problem.Detail));
    }

    [Fact]
    public async Task LoginWithAnOperatorObjectInsteadOfAStringReturns400()
    {
        var response = await factory.CreateClient().PostRawJsonAsync("/api/auth/login",
            """{"login": {"$ne": null}, "password": {"$ne": null}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task LoginWithAnOperatorLookingStringMatchesNobody()
    {
        var response = await factory.CreateClient().LoginAsync("""{"$ne": null}""", "anything");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task LoginAcceptsUsernameOrEmailInAnyCase()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Author);
        var client = factory.CreateClient();

        foreach (var login in new[] { user.Username, user.Username.ToUpperInvariant(), user.Email, user.Email.ToUpperInvariant() })
        {
            var response = await client.LoginAsync(login, BlogApiFactory.UserPassword);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var auth = await response.ReadAsync<AuthResponse>();
            Assert.Equal(user.Id, auth.User.Id);
            Assert.Equal(Roles.Author, auth.User.Role);
        }
    }

    [Fact]
    public async Task TheBootstrappedAdminCanSignIn()
    {
        var response = await factory.CreateClient().LoginAsync(BlogApiFactory.AdminEmail, BlogApiFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var auth = await response.ReadAsync<AuthResponse>();
        Assert.Equal(BlogApiFactory.AdminUsername, auth.User.Username);
        Assert.Equal(Roles.Admin, auth.User.Role);
    }

    [Fact]
    public async Task WrongPasswordAndUnknownUserGetTheSame401()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var client = factory.CreateClient();

        var wrongPassword = await client.LoginAsync(user.Username, "wrong password");
        var unknownUser = await client.LoginAsync("nobody-" + Guid.NewGuid().ToString("N")[..8], "wrong password");

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        Assert.Equal((await wrongPassword.ReadProblemAsync()).Detail, (await unknownUser.ReadProblemAsync()).Detail);
    }

    [Fact]
    public async Task ASuccessfulSignInOrRegistrationGivesADeviceTokenButARefreshDoesNot()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var client = factory.CreateClient();

        var signedIn = await (await client.LoginAsync(user.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>();
        var registered = await client.RegisterAsync();
        var refreshed = await (await client.RefreshAsync(signedIn.RefreshToken)).ReadAsync<AuthResponse>();

        Assert.False(string.IsNullOrEmpty(signedIn.DeviceToken));
        Assert.False(string.IsNullOrEmpty(registered.DeviceToken));
        Assert.NotEqual(signedIn.DeviceToken, registered.DeviceToken);
        Assert.Null(refreshed.DeviceToken);
    }

    [Fact]
    public async Task ADisabledUserCannotSignInOrRefresh()
    {
        var (user, tokens) = await factory.CreateUserWithTokensAsync(Roles.Author);
        var admin = await factory.CreateClientAsync(Roles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{user.Username}/disable", null, Ct)).StatusCode);
        var client = factory.CreateClient();

        var login = await client.LoginAsync(user.Username, BlogApiFactory.UserPassword);
        var refresh = await client.RefreshAsync(tokens.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("disabled", (await login.ReadProblemAsync()).Detail);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        await refresh.ReadProblemAsync();
    }

    [Fact]
    public async Task MeWithoutATokenReturns401ProblemDetails()
    {
        var response = await factory.CreateClient().GetAsync("/api/auth/me", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task RefreshRotatesThePairAndTheNewPairWorks()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();

        var response = await client.RefreshAsync(registered.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = await response.ReadAsync<AuthResponse>();
        Assert.NotEqual(registered.RefreshToken, rotated.RefreshToken);
        Assert.NotEqual(registered.AccessToken, rotated.AccessToken);
        Assert.Equal(registered.User.Id, rotated.User.Id);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient(rotated.AccessToken).GetAsync("/api/auth/me", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(rotated.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task RefreshTokensAreStoredOnlyAsHashes()
    {
        var registered = await factory.CreateClient().RegisterAsync();

        using var scope = factory.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<IRefreshTokenStore>();
        Assert.Null(await store.FindByHashAsync(registered.RefreshToken, Ct));
        var stored = await store.FindByHashAsync(Blog.Api.Security.TokenService.HashRefreshToken(registered.RefreshToken), Ct);
        Assert.NotNull(stored);
        Assert.Equal(64, stored.TokenHash.Length);
        Assert.Equal(registered.User.Id, stored.UserId);
    }

    [Fact]
    public async Task SpendingARefreshTokenTwiceWithinTheGraceWindowGivesTheSamePairTwice()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();

        var first = await client.RefreshAsync(registered.RefreshToken);
        var second = await client.RefreshAsync(registered.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await first.ReadAsync<AuthResponse>();
        var b = await second.ReadAsync<AuthResponse>();
        // One session, not a fork: the replay is handed what the first refresh got.
        Assert.Equal(a.RefreshToken, b.RefreshToken);
        Assert.Equal(a.AccessToken, b.AccessToken);
        Assert.Equal(a.ExpiresAt, b.ExpiresAt);
        Assert.NotEqual(registered.RefreshToken, a.RefreshToken);
        // The one successor rotates on as usual (and a second tab replaying it meanwhile is handed the same again).
        var next = await (await client.RefreshAsync(a.RefreshToken)).ReadAsync<AuthResponse>();
        Assert.Equal(next.RefreshToken, (await (await client.RefreshAsync(b.RefreshToken)).ReadAsync<AuthResponse>()).RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient(next.AccessToken).GetAsync("/api/auth/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task ConcurrentRefreshesOfOneTokenAllGetTheSamePair()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.RefreshAsync(registered.RefreshToken)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var pairs = await Task.WhenAll(responses.Select(r => r.ReadAsync<AuthResponse>()));
        Assert.Single(pairs.Select(p => p.RefreshToken).Distinct());
        Assert.Single(pairs.Select(p => p.AccessToken).Distinct());
        // Exactly one successor record exists for the spent token.
        using var scope = factory.Services.CreateScope();
        var store = scope.ServiceProvider.GetRequiredService<IRefreshTokenStore>();
        var spent = await store.FindByHashAsync(Blog.Api.Security.TokenService.HashRefreshToken(registered.RefreshToken), Ct);
        var successor = await store.FindByHashAsync(Blog.Api.Security.TokenService.HashRefreshToken(pairs[0].RefreshToken), Ct);
        Assert.NotNull(spent?.ConsumedAt);
        Assert.Equal(spent.FamilyId, successor?.FamilyId);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task AnUnknownRefreshTokenReturns401(string refreshToken)
    {
        var response = await factory.CreateClient().RefreshAsync(refreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task LogoutRevokesTheRefreshTokenAndItsRotations()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();
        var rotated = await (await client.RefreshAsync(registered.RefreshToken)).ReadAsync<AuthResponse>();

        var logout = await client.PostAsJsonAsync("/api/auth/logout", new { refreshToken = rotated.RefreshToken }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(rotated.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(registered.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task LogoutWithAnUnknownTokenStillReturns204()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/auth/logout", new { refreshToken = "unknown" }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task LogoutWithoutARefreshTokenIsAValidationError()
    {
        var response = await factory.CreateClient().PostRawJsonAsync("/api/auth/logout", "{}");

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["refreshToken"], errors.Keys);
    }

    [Fact]
    public async Task ABodyOverTheLimitReturns413ProblemDetails()
    {
        var json = $$"""{"login":"someone","password":"{{new string('x', 300 * 1024)}}"}""";

        var response = await factory.CreateClient().PostRawJsonAsync("/api/auth/login", json);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task AJsonBodyWithAnotherContentTypeIsRefusedWithProblemDetails()
    {
        var response = await factory.CreateClient().PostAsync("/api/auth/login",
            new StringContent("""{"login":"a","password":"b"}""", System.Text.Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await response.ReadProblemAsync();
    }
}
