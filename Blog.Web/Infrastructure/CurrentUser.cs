using System.Security.Claims;
using Blog.Web.Api;

namespace Blog.Web.Infrastructure;

/// <summary>The signed-in user as the web sees them: from the auth cookie's claims, refreshed from the API every request.</summary>
public sealed record CurrentUser(string Id, string Username, string DisplayName, string Role)
{
    public const string DisplayNameClaim = "display_name";

    public bool IsWriter => Role is Roles.Author or Roles.Editor or Roles.Admin;
    public bool IsModerator => Role is Roles.Editor or Roles.Admin;
    public bool IsAdmin => Role is Roles.Admin;

    /// <summary>Owners, Editors and Admins may change a post; the API has the last word.</summary>
    public bool CanManagePost(AuthorRef author) =>
        IsModerator || (IsWriter && string.Equals(author.Username, Username, StringComparison.OrdinalIgnoreCase));

    public bool Owns(AuthorRef author) => string.Equals(author.Username, Username, StringComparison.OrdinalIgnoreCase);

    public static CurrentUser? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var username = principal.FindFirstValue(ClaimTypes.Name);
        if (string.IsNullOrEmpty(username))
        {
            return null;
        }

        return new CurrentUser(
            principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
            username,
            principal.FindFirstValue(DisplayNameClaim) ?? username,
            principal.FindFirstValue(ClaimTypes.Role) ?? Roles.Reader);
    }

    /// <summary>The cookie principal for an API user.</summary>
    public static ClaimsPrincipal CreatePrincipal(UserResponse user, string authenticationType)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, user.Id),
                new Claim(ClaimTypes.Name, user.Username),
                new Claim(DisplayNameClaim, string.IsNullOrWhiteSpace(user.DisplayName) ? user.Username : user.DisplayName),
                new Claim(ClaimTypes.Role, user.Role),
            ],
            authenticationType, ClaimTypes.Name, ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }
}
