using Blog.Api.Caching;
using Blog.Api.Security;
using Blog.Api.Storage;
using Blog.Api.Users;

namespace Blog.Api.Posts;

/// <summary>What the posts endpoints work with, taken as one <c>[AsParameters]</c> argument (as eShop's <c>CatalogServices</c>).</summary>
public sealed record PostServices(
    IPostStore Store, PostAccess Access, PostPublishing Publishing, Authors Authors, CurrentUser User, OutputCacheEvictor Cache, TimeProvider Clock);
