using Blog.Api.Storage;
using Microsoft.AspNetCore.Authorization;

namespace Blog.Api.Security;

/// <summary>
/// Named authorization policies. Each one requires a signed-in caller (so an anonymous caller gets 401 and a caller
/// without the role 403) and checks the caller's current role (see <see cref="UserStatusCache"/>).
/// </summary>
public static class Policies
{
    /// <summary>Any signed-in, enabled user.</summary>
    public const string Authenticated = "Authenticated";

    /// <summary>Author, Editor or Admin: may write posts.</summary>
    public const string Author = "Author";

    /// <summary>Editor or Admin: may manage anyone's posts and hide comments.</summary>
    public const string Editor = "Editor";

    /// <summary>Admin: manages users and roles.</summary>
    public const string Admin = "Admin";

    internal static AuthorizationBuilder AddBlogPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Authenticated, policy => policy.RequireAuthenticatedUser())
        .AddPolicy(Author, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Author, Roles.Editor, Roles.Admin))
        .AddPolicy(Editor, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Editor, Roles.Admin))
        .AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
}
