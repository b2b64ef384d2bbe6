using Blog.Api.Storage;
using static System.Net.HttpStatusCode;

namespace Blog.Tests.Api;

/// <summary>
/// Every Users and Auth endpoint for every kind of caller: anonymous, Reader, Author, Editor, Admin. Each case acts
/// on a fresh target user, so cases do not depend on each other.
/// </summary>
public sealed class UsersAccessMatrixTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    /// <summary>(endpoint, caller, expected status). {target} is a fresh Reader; "me" endpoints act on the caller.</summary>
    public static TheoryData<string, Caller, HttpStatusCode> Cases()
    {
        var data = new TheoryData<string, Caller, HttpStatusCode>();
        void Add(string endpoint, IEnumerable<(Caller Caller, HttpStatusCode Expected)> rows)
        {
            foreach (var (caller, expected) in rows)
            {
                data.Add(endpoint, caller, expected);
            }
        }

        // An Author here is one who is not the target (OtherAuthor): no endpoint of this matrix has an owner.
        static IEnumerable<(Caller, HttpStatusCode)> Everyone(HttpStatusCode status) =>
            AccessMatrix.Rows<HttpStatusCode>(anonymous: status, reader: status, otherAuthor: status, editor: status, admin: status);
        static IEnumerable<(Caller, HttpStatusCode)> SignedIn(HttpStatusCode status) =>
            AccessMatrix.Rows<HttpStatusCode>(anonymous: Unauthorized, reader: status, otherAuthor: status, editor: status, admin: status);
        static IEnumerable<(Caller, HttpStatusCode)> AdminOnly(HttpStatusCode status) =>
            AccessMatrix.Rows<HttpStatusCode>(anonymous: Unauthorized, reader: Forbidden, otherAuthor: Forbidden, editor: Forbidden, admin: status);

        Add("GET /api/users/{target}", Everyone(OK));
        Add("GET /api/auth/me", SignedIn(OK));
        Add("PUT /api/users/me", SignedIn(OK));
        Add("PUT /api/users/me/password", SignedIn(NoContent));
        Add("GET /api/users", AdminOnly(OK));
        Add("PUT /api/users/{target}/role", AdminOnly(OK));
        Add("POST /api/users/{target}/disable", AdminOnly(OK));
        Add("POST /api/users/{target}/enable", AdminOnly(OK));
        Add("PUT /api/users/{target}/password", AdminOnly(NoContent));
        // Anyone may register, sign in, refresh and sign out; a bearer token changes nothing.
        Add("POST /api/auth/register", Everyone(Created));
        Add("POST /api/auth/login", Everyone(OK));
        Add("POST /api/auth/refresh", Everyone(OK));
        Add("POST /api/auth/logout", Everyone(NoContent));
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EachCallerGetsTheStatusTheAccessRulesGive(string endpoint, Caller caller, HttpStatusCode expected)
    {
        var client = await factory.ClientForAsync(caller);
        var (target, targetTokens) = await factory.CreateUserWithTokensAsync(Roles.Reader);
        var method = endpoint.Split(' ')[0];
        var path = endpoint.Split(' ')[1].Replace("{target}", target.Username, StringComparison.Ordinal);
        object? body = path switch
        {
            "/api/users/me" => new { displayName = "Renamed", bio = "bio" },
            "/api/users/me/password" => new { currentPassword = BlogApiFactory.UserPassword, newPassword = "another password" },
            "/api/auth/register" => new { username = ApiDriver.NewUsername(), email = $"{Guid.NewGuid():N}@example.test", password = "correct horse" },
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
