using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Blog.Api.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Blog.Tests.Api;

internal static class TestHelpers
{
    /// <summary>Asserts an RFC 9457 body with the response's status and returns it.</summary>
    public static async Task<ProblemDetails> ReadProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(TestContext.Current.CancellationToken);
        Assert.NotNull(problem);
        Assert.Equal((int)response.StatusCode, problem.Status);
        return problem;
    }

    /// <summary>Asserts a 400 validation problem and returns its errors, keyed as the server keyed them.</summary>
    public static async Task<IDictionary<string, string[]>> ReadValidationErrorsAsync(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(TestContext.Current.CancellationToken);
        Assert.NotNull(problem);
        return problem.Errors;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var value = await response.Content.ReadFromJsonAsync<T>(TestContext.Current.CancellationToken);
        Assert.NotNull(value);
        return value;
    }

    /// <summary>POSTs raw text as application/json (for malformed or hand-written bodies).</summary>
    public static Task<HttpResponseMessage> PostRawJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string login, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { login, password }, TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, TestContext.Current.CancellationToken);

    public static async Task<AuthResponse> RegisterAsync(this HttpClient client, string? username = null)
    {
        username ??= NewUsername();
        var response = await client.PostAsJsonAsync(
            "/api/auth/register",
            new { username, email = $"{username}@example.test", password = BlogApiFactory.UserPassword },
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync<AuthResponse>();
    }

    /// <summary>
    /// A token shaped like the API's (issuer, audience, sub, unique_name, role, jti, fid, sv, 15 min), signed with
    /// <see cref="BlogApiFactory.SigningKey"/>, changed by <paramref name="change"/>: for tests of what the API refuses.
    /// <paramref name="familyId"/> names the sign-in (a made-up one unless given: refused as an unknown session).
    /// </summary>
    public static string MintToken(
        string userId, string role, Action<SecurityTokenDescriptor>? change = null, string? familyId = null, long sessionVersion = 0)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = BlogApiFactory.Issuer,
            Audience = BlogApiFactory.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(15),
            SigningCredentials = new SigningCredentials(
                new SymmetricSecurityKey(Encoding.UTF8.GetBytes(BlogApiFactory.SigningKey)), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, userId),
                new Claim(JwtRegisteredClaimNames.UniqueName, "someone"),
                new Claim("role", role),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
                new Claim("fid", familyId ?? Guid.NewGuid().ToString("N")),
                new Claim("sv", sessionVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
            ]),
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>A claim of an access token, read without validating it.</summary>
    public static string? ClaimOf(string accessToken, string type) =>
        new JsonWebToken(accessToken).Claims.FirstOrDefault(c => c.Type == type)?.Value;

    public static string NewUsername() => $"t{Guid.NewGuid():N}"[..16];

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
