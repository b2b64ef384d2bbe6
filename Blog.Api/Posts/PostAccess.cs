using Blog.Api.Security;
using Blog.Api.Storage;

namespace Blog.Api.Posts;

/// <summary>
/// Who may see and change a post. A published post is everyone's to read; a draft exists only for those who manage it
/// (its author, Editors, Admins): for everyone else it is not found, never forbidden, so nothing tells it exists.
/// Scoped: it answers for the caller of the request.
/// </summary>
public sealed class PostAccess(IPostStore posts, CurrentUser user)
{
    /// <summary>The post, when the caller may see it.</summary>
    public async Task<Post?> FindVisibleAsync(string slug, CancellationToken ct) =>
        // Slugs are lower-case; so is the output cache's view of paths (it ignores their case).
        Visible(await posts.FindBySlugAsync(slug.ToLowerInvariant(), ct));

    /// <summary>The post, when the caller may see it (by id: a publish or unpublish changes the slug).</summary>
    public async Task<Post?> FindVisibleByIdAsync(string id, CancellationToken ct) => Visible(await posts.FindByIdAsync(id, ct));

    /// <summary>Whether the caller may edit, publish, unpublish and delete the post.</summary>
    public bool CanManage(Post post) => user.CanManagePost(post.AuthorId);

    private Post? Visible(Post? post) => post is not null && (post.Status == PostStatus.Published || CanManage(post)) ? post : null;
}
