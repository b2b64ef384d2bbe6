using Blog.Api.Caching;
using Blog.Api.Posts;
using Blog.Api.Security;
using Blog.Api.Storage;
using Blog.Api.Users;

namespace Blog.Api.Comments;

/// <summary>
/// What the comments endpoints work with, taken as one <c>[AsParameters]</c> argument (as eShop's <c>CatalogServices</c>).
/// Comments exist only under a post the caller can see, so <see cref="Posts"/> answers which.
/// </summary>
public sealed record CommentServices(
    ICommentStore Store, PostAccess Posts, Authors Authors, CurrentUser User, OutputCacheEvictor Cache, TimeProvider Clock);
