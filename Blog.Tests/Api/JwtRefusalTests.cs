using System.Text;
using Blog.Api.Storage;
using Microsoft.IdentityModel.Tokens;

namespace Blog.Tests.Api;

/// <summary>Tokens the API must refuse with 401 ProblemDetails, each differing from a valid one in one respect.</summary>
public sealed class JwtRefusalTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    [Fact]
    public async Task AHandMadeTokenWithTheRightKeyIsAccepted()
    {
        // The control for every refusal below: only one thing differs in each.
        var response = await GetMeAsync(await TokenAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AnUnsignedAlgNoneTokenIsRefused() =>
        await AssertRefusedAsync(await TokenAsync(d => d.SigningCredentials = null));

    [Fact]
    public async Task ATokenSignedWithAnotherKeyIsRefused() =>
        await AssertRefusedAsync(await TokenAsync(d => d.SigningCredentials = new SigningCredentials(
            new SymmetricSecurityKey(Encoding.UTF8.GetBytes("another-signing-key-0123456789abcdefghijklmnop")), SecurityAlgorithms.HmacSha256)));

    [Fact]
    public async Task ATokenSignedWithTheRightKeyButHs512IsRefused() =>
        await AssertRefusedAsync(await TokenAsync(d => d.SigningCredentials = new SigningCredentials(
            new SymmetricSecurityKey(Encoding.UTF8.GetBytes(BlogApiFactory.SigningKey + BlogApiFactory.SigningKey)), SecurityAlgorithms.HmacSha512)));

    [Fact]
    public async Task AnExpiredTokenIsRefusedAndSaysSo()
    {
        var response = await GetMeAsync(await TokenAsync(d =>
        {
            d.IssuedAt = d.NotBefore = DateTime.UtcNow.AddMinutes(-20);
            d.Expires = DateTime.UtcNow.AddMinutes(-2);
        }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", (await response.ReadProblemAsync()).Detail);
    }

    [Fact]
    public async Task ATokenWithoutAnExpiryIsRefused() =>
        await AssertRefusedAsync(await TokenAsync(d => d.Expires = null));

    [Fact]
    public async Task ATokenFromAnotherIssuerIsRefused() =>
        await AssertRefusedAsync(await TokenAsync(d => d.Issuer = "someone-else"));

    [Fact]
    public async Task ATokenForAnotherAudienceIsRefused() =>
        await AssertRefusedAsync(await TokenAsync(d => d.Audience = "another-api"));

    [Fact]
    public async Task ATokenWithATamperedPayloadIsRefused()
    {
        var readerParts = (await TokenAsync(role: Roles.Reader)).Split('.');
        var adminParts = (await TokenAsync(role: Roles.Admin)).Split('.');

        var response = await GetMeAsync($"{readerParts[0]}.{adminParts[1]}.{readerParts[2]}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GarbageIsRefused() => await AssertRefusedAsync("not.a.jwt");

    [Fact]
    public async Task ATokenWithoutASessionOrWithAnUnknownOneIsRefused()
    {
        var (user, tokens) = await factory.CreateUserWithTokensAsync(Roles.Reader);
        var familyId = TestTokens.ClaimOf(tokens.AccessToken, "fid");

        await AssertRefusedAsync(TestTokens.MintToken(user.Id, Roles.Reader));
        await AssertRefusedAsync(TestTokens.MintToken(user.Id, Roles.Reader, familyId: familyId, sessionVersion: 1));
        await AssertRefusedAsync(TestTokens.MintToken(user.Id, Roles.Reader, d => d.Subject.RemoveClaim(d.Subject.FindFirst("fid")), familyId));
        // Another user's sign-in does not lend its session.
        var (other, _) = await factory.CreateUserWithTokensAsync(Roles.Reader);
        await AssertRefusedAsync(TestTokens.MintToken(other.Id, Roles.Reader, familyId: familyId));
    }

    [Fact]
    public async Task ATokenForADisabledUserIsRefusedOnTheNextRequest()
    {
        var (client, user) = await factory.CreateUserAsync(Roles.Editor);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me", Ct)).StatusCode);
        var admin = await factory.CreateClientAsync(Roles.Admin);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{user.Username}/disable", null, Ct)).StatusCode);
        var refused = await client.GetAsync("/api/auth/me", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        await refused.ReadProblemAsync();

        // Re-enabling gives the account back, not its old sessions.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{user.Username}/enable", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task ATokenForAUserThatDoesNotExistIsRefused() =>
        await AssertRefusedAsync(await TokenAsync(userId: Guid.NewGuid().ToString("N")));

    private async Task AssertRefusedAsync(string token)
    {
        var response = await GetMeAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await response.ReadProblemAsync();
    }

    private Task<HttpResponseMessage> GetMeAsync(string token) => factory.CreateClient(token).GetAsync("/api/auth/me", Ct);

    /// <summary>A token as the API makes them, for a real user, changed by <paramref name="change"/>.</summary>
    private async Task<string> TokenAsync(Action<SecurityTokenDescriptor>? change = null, string? userId = null, string role = Roles.Reader)
    {
        string? familyId = null;
        if (userId is null)
        {
            var (user, tokens) = await factory.CreateUserWithTokensAsync(role);
            userId = user.Id;
            familyId = TestTokens.ClaimOf(tokens.AccessToken, "fid");
        }

        return TestTokens.MintToken(userId, role, change, familyId);
    }
}
