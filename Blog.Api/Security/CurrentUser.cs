using System.Security.Claims;
using Blog.Api.Storage;

namespace Blog.Api.Security;

/// <summary>
/// The caller of the current request, read from the validated access token (whose role is the user's current one,
/// see <see cref="UserStatusCache"/>). Scoped; take it as an endpoint parameter instead of reading claims.
/// </summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public ClaimsPrincipal Principal => accessor.HttpContext?.User ?? new ClaimsPrincipal(new ClaimsIdentity());

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    /// <summary>The user id (<c>sub</c>), null when anonymous.</summary>
    public string? Id => IsAuthenticated ? Principal.FindFirstValue(TokenService.SubjectClaim) : null;

    public string? Username => IsAuthenticated ? Principal.FindFirstValue(TokenService.NameClaim) : null;

    public string? Role => IsAuthenticated ? Principal.FindFirstValue(TokenService.RoleClaim) : null;

    public bool IsInRole(string role) => IsAuthenticated && Principal.IsInRole(role);

    public bool IsEditorOrAdmin => IsInRole(Roles.Editor) || IsInRole(Roles.Admin);

    /// <summary>Editors and Admins manage every post; an Author manages their own. A Reader manages none, not even one they wrote before a demotion.</summary>
    public bool CanManagePost(string authorId) =>
        IsEditorOrAdmin || (IsInRole(Roles.Author) && string.Equals(Id, authorId, StringComparison.Ordinal));
}
