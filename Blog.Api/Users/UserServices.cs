using Blog.Api.Caching;
using Blog.Api.Security;
using Blog.Api.Storage;

namespace Blog.Api.Users;

/// <summary>
/// What the users endpoints work with, taken as one <c>[AsParameters]</c> argument (as eShop's <c>CatalogServices</c>).
/// <see cref="Caller"/> is the signed-in user the <c>/me</c> endpoints act on.
/// </summary>
internal sealed record UserServices(IUserStore Store, CurrentUser Caller, UserSessions Sessions, UserStatusCache Status, OutputCacheEvictor Cache);
