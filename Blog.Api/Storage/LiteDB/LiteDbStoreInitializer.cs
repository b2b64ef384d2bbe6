using Blog.Api.Posts;

namespace Blog.Api.Storage.LiteDB;

/// <summary>
/// Creates the embedded store's indexes (see <see cref="LiteDbContext.EnsureIndexes"/>) and runs the same comment repair
/// as the MongoDB store (see <see cref="RepairComments"/>); idempotent.
/// </summary>
internal sealed class LiteDbStoreInitializer(LiteDbContext context) : IStoreInitializer
{
    public Task InitializeAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        context.EnsureIndexes();
        PrivatizeDraftSlugs();
        RepairComments();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Drafts written before draft slugs were private (<see cref="Slugs.ForDraft"/>) get a private slug, as in the
    /// MongoDB store: a public-looking draft slug pushes another author's post of the same title to "-2".
    /// </summary>
    private void PrivatizeDraftSlugs() => context.Write("privatize-draft-slugs", LiteDbContext.PostsCollection, () =>
    {
        foreach (var draft in context.Posts.Find(p => p.Status == PostStatus.Draft).ToList())
        {
            if (!Slugs.IsDraft(draft.Slug))
            {
                draft.Slug = Slugs.ForDraft(draft.Slug);
                context.Posts.Update(draft);
            }
        }
    });

    /// <summary>
    /// Here a comment and its post's count change in one transaction, so a crash leaves neither half; the repair still
    /// runs because the contract promises it for both stores (a file copied from a broken state, a future write that
    /// is not one transaction): comments whose post is gone are deleted, and each post's count is set to its visible
    /// comments. Under the write lock, so no comment operation interleaves.
    /// </summary>
    private void RepairComments() => context.Write("repair", LiteDbContext.CommentsCollection, () =>
    {
        var postIds = context.Posts.Query().Select("{ id: $._id, count: $.CommentCount }").ToDocuments()
            .ToDictionary(d => d["id"].AsString, d => d["count"].IsNumber ? d["count"].AsInt32 : -1, StringComparer.Ordinal);

        var counted = new Dictionary<string, int>(StringComparer.Ordinal);
        var orphanPosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var comment in context.Comments.Query().Select("{ post: $.PostId, hidden: $.Hidden }").ToDocuments())
        {
            var postId = comment["post"].AsString;
            if (!postIds.ContainsKey(postId))
            {
                orphanPosts.Add(postId);
            }
            else if (!comment["hidden"].AsBoolean)
            {
                counted[postId] = counted.GetValueOrDefault(postId) + 1;
            }
        }

        foreach (var postId in orphanPosts)
        {
            context.Comments.DeleteMany("$.PostId = @0", postId);
        }

        foreach (var (postId, stored) in postIds)
        {
            var actual = counted.GetValueOrDefault(postId);
            if (stored != actual && context.Posts.FindById(postId) is { } post)
            {
                post.CommentCount = actual;
                context.Posts.Update(post);
            }
        }
    });
}
