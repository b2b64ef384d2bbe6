using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>
/// Every Users and Auth endpoint for every kind of caller: anonymous, Reader, Author, Editor, Admin. Each case acts
/// on a fresh target user, so cases do not depend on each other.
/// </summary>
public sealed class UsersAccessMatrixTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    public const string Anonymous = "anonymous";

    private static readonly string[] Callers = [Anonymous, Roles.Reader, Roles.Author, Roles.Editor, Roles.Admin];

    /// <summary>(endpoint, caller, expected status). {target} is a fresh Reader; "me" endpoints act on the caller.</summary>
    public static TheoryData<string, string, HttpStatusCode> Cases()
    {
        var data = new TheoryData<string, string, HttpStatusCode>();
        foreach (var caller in Callers)
        {
            var signedIn = caller != Anonymous;
            var admin = caller == Roles.Admin;
            var adminOnly = !signedIn ? HttpStatusCode.Unauthorized : admin ? HttpStatusCode.OK : HttpStatusCode.Forbidden;
            var adminOnlyNoContent = adminOnly == HttpStatusCode.OK ? HttpStatusCode.NoContent : adminOnly;

            data.Add("GET /api/users/{target}", caller, HttpStatusCode.OK);
            data.Add("GET /api/auth/me", caller, signedIn ? HttpStatusCode.OK : HttpStatusCode.Unauthorized);
            data.Add("PUT /api/users/me", caller, signedIn ? HttpStatusCode.OK : HttpStatusCode.Unauthorized);
            data.Add("PUT /api/users/me/password", caller, signedIn ? HttpStatusCode.NoContent : HttpStatusCode.Unauthorized);
            data.Add("GET /api/users", caller, adminOnly);
            data.Add("PUT /api/users/{target}/role", caller, adminOnly);
            data.Add("POST /api/users/{target}/disable", caller, adminOnly);
            data.Add("POST /api/users/{target}/enable", caller, adminOnly);
            data.Add("PUT /api/users/{target}/password", caller, adminOnlyNoContent);
            // Anyone may register, sign in, refresh and sign out; a bearer token changes nothing.
            data.Add("POST /api/auth/register", caller, HttpStatusCode.Created);
            data.Add("POST /api/auth/login", caller, HttpStatusCode.OK);
            data.Add("POST /api/auth/refresh", caller, HttpStatusCode.OK);
            data.Add("POST /api/auth/logout", caller, HttpStatusCode.NoContent);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachCallerGetsTheStatusTheAccessRulesGive(string endpoint, string caller, HttpStatusCode expected)
    {
        var client = caller == Anonymous ? factory.CreateClient() : await factory.CreateClientAsync(caller);
        var (target, targetTokens) = await factory.CreateUserWithTokensAsync(Roles.Reader);
        var method = endpoint.Split(' ')[0];
        var path = endpoint.Split(' ')[1].Replace("{target}", target.Username, StringComparison.Ordinal);
        object? body = path switch
        {
            "/api/users/me" => new { displayName = "Renamed", bio = "bio" },
            "/api/users/me/password" => new { currentPassword = BlogApiFactory.UserPassword, newPassword = "another password" },
            "/api/auth/register" => new { username = TestHelpers.NewUsername(), email = $"{Guid.NewGuid():N}@example.test", password = "correct horse" },
            "/api/auth/login" => new { login = target.Username, password = BlogApiFactory.UserPassword },
            "/api/auth/refresh" or "/api/auth/logout" => new { refreshToken = targetTokens.RefreshToken },
            _ when path.EndsWith("/role", StringComparison.Ordinal) => new { role = Roles.Author },
            _ when path.EndsWith("/password", StringComparison.Ordinal) => new { newPassword = "set by an admin" },
            _ => null,
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        if ((int)expected >= 400)
        {
            await response.ReadProblemAsync();
        }
    }
}
