using Blog.Api.Auth;

namespace Blog.Tests.Api;

/// <summary>Refresh behaviour that needs time to pass: each test runs an app with shortened windows and really waits.</summary>
public sealed class RefreshLifetimeTests
{
    [Fact]
    public async Task ReusingASpentRefreshTokenAfterTheGraceWindowRevokesTheWholeFamily()
    {
        await using var factory = new BlogApiFactory().WithSettings(("Jwt:RefreshReuseGrace", "00:00:01"));
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();
        var rotated = await (await client.RefreshAsync(registered.RefreshToken)).ReadAsync<AuthResponse>();
        var otherSignIn = await (await client.LoginAsync(registered.User.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>();

        await Task.Delay(TimeSpan.FromSeconds(1.5), Ct);
        var reuse = await client.RefreshAsync(registered.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        await reuse.ReadProblemAsync();
        // The newer token of that family is dead too; another sign-in (another family) is not affected.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.RefreshAsync(rotated.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.RefreshAsync(otherSignIn.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task AnExpiredRefreshTokenIsRefused()
    {
        await using var factory = new BlogApiFactory().WithSettings(
            ("Jwt:AccessTokenLifetime", "00:00:01"), ("Jwt:RefreshTokenLifetime", "00:00:02"));
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();

        await Task.Delay(TimeSpan.FromSeconds(2.5), Ct);
        var response = await client.RefreshAsync(registered.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task ASignInEndsAtItsAbsoluteLifetimeHoweverOftenItIsRefreshed()
    {
        await using var factory = new BlogApiFactory().WithSettings(
            ("Jwt:AccessTokenLifetime", "00:00:01"), ("Jwt:RefreshFamilyLifetime", "00:00:06"));
        var client = factory.CreateClient();
        var registered = await client.RegisterAsync();
        // Started after the sign-in: waiting 6.5 s on it is surely past the family's end.
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var current = registered;
        for (var i = 0; i < 2; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.2), Ct);
            var refreshed = await client.RefreshAsync(current.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
            current = await refreshed.ReadAsync<AuthResponse>();
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.5), "The machine is too slow for this test's windows.");
        await Task.Delay(TimeSpan.FromSeconds(6.5) - clock.Elapsed, Ct);
        var late = await client.RefreshAsync(current.RefreshToken);

        // The last refresh token is only seconds old, but the sign-in is past its lifetime: sign in again.
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        await late.ReadProblemAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient(current.AccessToken).GetAsync("/api/auth/me", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(registered.User.Username, BlogApiFactory.UserPassword)).StatusCode);
    }
}
