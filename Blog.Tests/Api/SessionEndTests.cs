using Blog.Api.Auth;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>
/// Sessions end when they should: sign-out, password change, admin reset and disable end the access tokens too (the
/// factory's status cache is off, so "within the cache window" is "on the next request"), and a refresh that races any
/// of them never hands out a token that still works afterwards.
/// </summary>
public sealed class SessionEndTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    private const string NewPassword = "Another-Passw0rd-for-tests";

    [Fact]
    public async Task SigningOutEndsTheAccessTokenOfThatSignInAndNoOther()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();
        var otherSignIn = await (await client.LoginAsync(registered.User.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>();
        Assert.Equal(HttpStatusCode.OK, await MeAsync(registered.AccessToken));

        await LogoutAsync(client, registered.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(registered.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(otherSignIn.AccessToken));
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(otherSignIn.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task ChangingThePasswordEndsEverySessionOfTheUserAccessTokensIncluded()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();
        var otherSignIn = await (await client.LoginAsync(registered.User.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>();

        var change = await factory.CreateClient(registered.AccessToken).PutAsJsonAsync("/api/users/me/password",
            new { currentPassword = BlogApiFactory.UserPassword, newPassword = NewPassword }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        await AssertEndedAsync(client, registered, otherSignIn);
        var fresh = await (await client.LoginAsync(registered.User.Username, NewPassword)).ReadAsync<AuthResponse>();
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fresh.AccessToken));
    }

    [Fact]
    public async Task AnAdminPasswordResetEndsEverySessionOfTheUserAccessTokensIncluded()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();
        var admin = await factory.CreateClientAsync(Roles.Admin);

        var reset = await admin.PutAsJsonAsync($"/api/users/{registered.User.Username}/password", new { newPassword = NewPassword }, Ct);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        await AssertEndedAsync(client, registered);
    }

    [Fact]
    public async Task DisablingEndsEverySessionForGoodReEnablingGivesNoneBack()
    {
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();
        var admin = await factory.CreateClientAsync(Roles.Admin);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{registered.User.Username}/disable", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{registered.User.Username}/enable", null, Ct)).StatusCode);

        await AssertEndedAsync(client, registered);
        // The account itself works again: a new sign-in is a new session.
        var fresh = await (await client.LoginAsync(registered.User.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>();
        Assert.Equal(HttpStatusCode.OK, await MeAsync(fresh.AccessToken));
    }

    [Fact]
    public async Task RefreshesRacingASignOutNeverLeaveAWorkingToken() =>
        await RaceAsync(async (client, session) => await LogoutAsync(client, session.RefreshToken));

    [Fact]
    public async Task RefreshesRacingAPasswordChangeNeverLeaveAWorkingToken() =>
        await RaceAsync(async (client, session) =>
        {
            var change = await factory.CreateClient(session.AccessToken).PutAsJsonAsync("/api/users/me/password",
                new { currentPassword = BlogApiFactory.UserPassword, newPassword = NewPassword }, Ct);
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        });

    [Fact]
    public async Task RefreshesRacingAnAdminResetNeverLeaveAWorkingToken()
    {
        var admin = await factory.CreateClientAsync(Roles.Admin);
        await RaceAsync(async (_, session) =>
        {
            var reset = await admin.PutAsJsonAsync($"/api/users/{session.User.Username}/password", new { newPassword = NewPassword }, Ct);
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        });
    }

    [Fact]
    public async Task RefreshesRacingAReuseDetectionNeverLeaveAWorkingToken()
    {
        await using var noGrace = new BlogApiFactory().WithSettings(("Jwt:RefreshReuseGrace", "00:00:00"));
        await RaceAsync(noGrace, async (client, session) =>
        {
            // The sign-in's first token was spent by the race's set-up: presenting it again is a theft signal.
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(session.RefreshToken)).StatusCode);
        }, rotateFirst: true);
    }

    private Task RaceAsync(Func<HttpClient, AuthResponse, Task> end) => RaceAsync(factory, end, rotateFirst: false);

    /// <summary>
    /// Several rounds of: a new user, then refreshes of its current refresh token in parallel with <paramref name="end"/>.
    /// Afterwards no refresh token and no access token that any of them returned may work.
    /// </summary>
    private static async Task RaceAsync(BlogApiFactory app, Func<HttpClient, AuthResponse, Task> end, bool rotateFirst)
    {
        var client = app.CreateClient();
        for (var round = 0; round < 6; round++)
        {
            var registered = await client.RegisterAsync();
            var current = registered;
            if (rotateFirst)
            {
                current = await (await client.RefreshAsync(registered.RefreshToken)).ReadAsync<AuthResponse>();
                await Task.Delay(20, Ct);
            }

            var refreshes = Enumerable.Range(0, 4).Select(_ => client.RefreshAsync(current.RefreshToken)).ToList();
            var ending = end(client, registered);
            await Task.WhenAll([.. refreshes, ending]);

            List<AuthResponse> handedOut = [registered, current];
            foreach (var response in refreshes.Select(r => r.Result).Where(r => r.StatusCode == HttpStatusCode.OK))
            {
                handedOut.Add(await response.ReadAsync<AuthResponse>());
            }

            foreach (var pair in handedOut)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(pair.RefreshToken)).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient(pair.AccessToken).GetAsync("/api/auth/me", Ct)).StatusCode);
            }
        }
    }

    private async Task AssertEndedAsync(HttpClient client, params AuthResponse[] sessions)
    {
        foreach (var session in sessions)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(session.AccessToken));
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(session.RefreshToken)).StatusCode);
        }
    }

    private async Task<HttpStatusCode> MeAsync(string accessToken) =>
        (await factory.CreateClient(accessToken).GetAsync("/api/auth/me", Ct)).StatusCode;

    private static async Task LogoutAsync(HttpClient client, string refreshToken) =>
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsJsonAsync("/api/auth/logout", new { refreshToken }, Ct)).StatusCode);
}
