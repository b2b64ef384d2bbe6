extern alias BlogApi;

using System.Text.Json.Nodes;
using Blog.Api.Auth;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>The sign-in throttle is neither a weapon against the owner, nor an oracle, nor racy.</summary>
public sealed class SignInThrottleTests(SignInThrottleFactory factory) : IClassFixture<SignInThrottleFactory>
{
    private const string Wrong = "wrong password";

    [Fact]
    public async Task TenParallelWrongPasswordsWithALimitOfFiveVerifyAtMostFive()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var client = factory.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => client.LoginAsync(user.Username, Wrong), Ct)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(SignInThrottleFactory.Limit, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(10 - SignInThrottleFactory.Limit, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(SignInThrottleFactory.Limit, factory.Hasher.VerificationsOf(user.Id));
    }

    [Fact]
    public async Task OverTheLimitEvenTheRightPasswordIsNotCheckedFromAClientWithoutADeviceToken()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var client = factory.CreateClient();
        for (var i = 0; i < SignInThrottleFactory.Limit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.LoginAsync(user.Username, Wrong)).StatusCode);
        }

        var refused = await client.LoginAsync(user.Username.ToUpperInvariant(), BlogApiFactory.UserPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 3600);
        Assert.Equal(SignInGuard.TooManyAttempts, (await refused.ReadProblemAsync()).Detail);
        Assert.Equal(SignInThrottleFactory.Limit, factory.Hasher.VerificationsOf(user.Id));
    }

    [Fact]
    public async Task UnknownLoginsAreThrottledExactlyLikeRealOnes()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var unknown = "nobody-" + Guid.NewGuid().ToString("N")[..8];
        var client = factory.CreateClient();

        for (var i = 0; i < SignInThrottleFactory.Limit; i++)
        {
            var real = await client.LoginAsync(user.Username, Wrong);
            var nobody = await client.LoginAsync(unknown, Wrong);
            Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (real.StatusCode, nobody.StatusCode));
            Assert.Equal(await BodyAsync(real), await BodyAsync(nobody));
        }

        var realRefused = await client.LoginAsync(user.Username, Wrong);
        var nobodyRefused = await client.LoginAsync(unknown, Wrong);

        Assert.Equal((HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests), (realRefused.StatusCode, nobodyRefused.StatusCode));
        Assert.Equal(await BodyAsync(realRefused), await BodyAsync(nobodyRefused));
        // The windows are aligned for every login: both end at the same moment (a second apart at most, as the clock ticks).
        var realRetry = realRefused.Headers.RetryAfter?.Delta?.TotalSeconds;
        var nobodyRetry = nobodyRefused.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.NotNull(realRetry);
        Assert.NotNull(nobodyRetry);
        Assert.InRange(realRetry.Value - nobodyRetry.Value, 0, 1);
    }

    [Fact]
    public async Task WhileAnotherClientGuessesAsFastAsTheLimitsAllowTheOwnersDeviceSignsInAtTheFirstTry()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Admin);
        var owner = factory.CreateClient();
        var earlier = await (await owner.LoginAsync(user.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>();
        Assert.NotNull(earlier.DeviceToken);

        // The attacker: four clients sending wrong passwords back to back, bounded in count, until told to stop.
        using var stop = new CancellationTokenSource();
        var refusedSeen = new TaskCompletionSource();
        var sent = 0;
        var attackers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var attacker = factory.CreateClient();
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= 400)
            {
                var guess = await attacker.LoginAsync(user.Email, Wrong);
                if (guess.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    refusedSeen.TrySetResult();
                }
            }
        }, Ct)).ToArray();
        await refusedSeen.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // The attack goes on; the owner's browser signs in with the device token it got last time.
        var signIn = await LoginAsync(owner, user.Username, BlogApiFactory.UserPassword, earlier.DeviceToken);

        await stop.CancelAsync();
        await Task.WhenAll(attackers);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var auth = await signIn.ReadAsync<AuthResponse>();
        Assert.Equal(user.Id, auth.User.Id);
        Assert.False(string.IsNullOrEmpty(auth.DeviceToken));
        // The trade-off: a client that never signed in before waits for the window, even with the right password.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await factory.CreateClient().LoginAsync(user.Email, BlogApiFactory.UserPassword)).StatusCode);
    }

    [Fact]
    public async Task ADeviceHasItsOwnSmallBucketThatLeavesTheSharedOneAlone()
    {
        var (_, user) = await factory.CreateUserAsync(Roles.Reader);
        var client = factory.CreateClient();
        var device = (await (await client.LoginAsync(user.Username, BlogApiFactory.UserPassword)).ReadAsync<AuthResponse>()).DeviceToken;

        for (var i = 0; i < SignInThrottleFactory.DeviceLimit; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(client, user.Username, Wrong, device)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(client, user.Username, BlogApiFactory.UserPassword, device)).StatusCode);
        // The shared bucket has had one attempt (the first sign-in), so a client without the token still gets in.
        Assert.Equal(HttpStatusCode.OK, (await client.LoginAsync(user.Username, BlogApiFactory.UserPassword)).StatusCode);
    }

    [Fact]
    public async Task ADeviceTokenOfAnotherAccountOrAForgedOneCountsInTheSharedBucket()
    {
        var (_, victim) = await factory.CreateUserAsync(Roles.Admin);
        var attacker = factory.CreateClient();
        var ownToken = (await attacker.RegisterAsync()).DeviceToken!;
        var forged = ownToken[..^4] + (ownToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        for (var i = 0; i < SignInThrottleFactory.Limit; i++)
        {
            var token = i % 2 == 0 ? ownToken : forged;
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(attacker, victim.Username, Wrong, token)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync(attacker, victim.Username, Wrong, ownToken)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await factory.CreateClient().LoginAsync(victim.Username, Wrong)).StatusCode);
    }

    [Fact]
    public async Task GuessesOfTheCurrentPasswordFromASessionAreCountedLikeSignIns()
    {
        var (session, user) = await factory.CreateUserAsync(Roles.Reader);

        for (var i = 0; i < SignInThrottleFactory.Limit; i++)
        {
            var guess = await ChangePasswordAsync(session, Wrong);
            Assert.Equal(["currentPassword"], (await guess.ReadValidationErrorsAsync()).Keys);
        }

        var refused = await ChangePasswordAsync(session, BlogApiFactory.UserPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(SignInGuard.TooManyAttempts, (await refused.ReadProblemAsync()).Detail);
        Assert.Equal(SignInThrottleFactory.Limit, factory.Hasher.VerificationsOf(user.Id));
        // The same bucket as signing in with the username.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await factory.CreateClient().LoginAsync(user.Username, BlogApiFactory.UserPassword)).StatusCode);
    }

    /// <summary>The ProblemDetails body without its traceId, which differs per request by design.</summary>
    private static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        await response.ReadProblemAsync();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();
        body.Remove("traceId");
        return body.ToJsonString();
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string login, string password, string? deviceToken) =>
        client.PostAsJsonAsync("/api/auth/login", new { login, password, deviceToken }, Ct);

    private static Task<HttpResponseMessage> ChangePasswordAsync(HttpClient client, string currentPassword) =>
        client.PutAsJsonAsync("/api/users/me/password", new { currentPassword, newPassword = "a brand new password" }, Ct);
}
