namespace Blog.Api.Storage.LiteDB;

internal sealed class LiteDbCommentStore(LiteDbContext context) : ICommentStore
{
    private const string Collection = LiteDbContext.CommentsCollection;

    public Task CreateAsync(Comment comment, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(comment);
        context.Write("insert", Collection, () =>
        {
            context.Comments.Insert(comment);
            if (!comment.Hidden)
            {
                AdjustCount(comment.PostId, +1);
            }
        });
        return Task.CompletedTask;
    }

    public Task<Comment?> FindAsync(string postId, string id, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () => Find(postId, id)));
    }

    public Task<PagedResult<Comment>> ListAsync(string postId, bool includeHidden, int page, int pageSize, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () => List(postId, includeHidden, page, pageSize)));
    }

    private PagedResult<Comment> List(string postId, bool includeHidden, int page, int pageSize)
    {
        var (skip, take) = StoredValues.Page(page, pageSize);
        var query = context.Comments.Query().Where("$.PostId = @0", postId);
        if (!includeHidden)
        {
            query = query.Where("$.Hidden = false");
        }

        // One post's comments are few; ordering them here gives exactly MongoDB's order (CreatedAt, then Id).
        var all = query.ToList();
        var items = all
            .OrderBy(c => c.CreatedAt)
            .ThenBy(c => c.Id, StringComparer.Ordinal)
            .Skip(skip)
            .Take(take)
            .ToList();
        return new PagedResult<Comment>(items, all.Count);
    }

    public Task<bool> UpdateBodyAsync(string postId, string id, string body, DateTime updatedAt, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Write("update", Collection, () =>
        {
            var comment = Find(postId, id);
            if (comment is null)
            {
                return false;
            }

            comment.Body = body;
            comment.UpdatedAt = StoredValues.Time(updatedAt);
            return context.Comments.Update(comment);
        }));
    }

    public Task<bool> SetHiddenAsync(string postId, string id, bool hidden, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Write("update", Collection, () =>
        {
            var comment = Find(postId, id);
            if (comment is null)
            {
                return false;
            }

            if (comment.Hidden != hidden)
            {
                comment.Hidden = hidden;
                context.Comments.Update(comment);
                AdjustCount(postId, hidden ? -1 : +1);
            }

            return true;
        }));
    }

    public Task<bool> DeleteAsync(string postId, string id, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Write("delete", Collection, () =>
        {
            var comment = Find(postId, id);
            if (comment is null || !context.Comments.Delete(id))
            {
                return false;
            }

            if (!comment.Hidden)
            {
                AdjustCount(postId, -1);
            }

            return true;
        }));
    }

    private Comment? Find(string postId, string id) =>
        context.Comments.FindById(id) is { } comment && comment.PostId == postId ? comment : null;

    // Called inside Write: the lock and the transaction cover the comment change and the count together.
    private void AdjustCount(string postId, int delta)
    {
        var post = context.Posts.FindById(postId);
        if (post is not null)
        {
            post.CommentCount = Math.Max(0, post.CommentCount + delta);
            context.Posts.Update(post);
        }
    }
}
