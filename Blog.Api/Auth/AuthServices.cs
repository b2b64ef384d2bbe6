using Blog.Api.Security;
using Blog.Api.Storage;

namespace Blog.Api.Auth;

/// <summary>What the auth endpoints work with, taken as one <c>[AsParameters]</c> argument (as eShop's <c>CatalogServices</c>).</summary>
internal sealed record AuthServices(
    IUserStore Users, IRefreshTokenStore RefreshTokens, TokenService Tokens, DeviceTokens Devices, UserStatusCache Status, TimeProvider Clock);
