using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <remarks>
/// Without transactions the comment and its post's count are two writes; each is atomic, and the count never goes
/// below zero. A comment is always addressed with its post id, so one post's route can never reach another's comment.
/// </remarks>
internal sealed class MongoCommentStore(MongoContext context) : ICommentStore
{
    private static readonly FilterDefinitionBuilder<Comment> Filter = Builders<Comment>.Filter;

    public async Task CreateAsync(Comment comment, CancellationToken ct = default)
    {
        StoredValues.Normalize(comment);
        await MongoContext.MapDuplicateKeyAsync(() => context.Comments.InsertOneAsync(comment, cancellationToken: ct));
        if (!comment.Hidden)
        {
            await AdjustCountAsync(comment.PostId, +1, ct);
        }
    }

    public async Task<Comment?> FindAsync(string postId, string id, CancellationToken ct = default) =>
        await context.Comments.Find(ById(postId, id)).FirstOrDefaultAsync(ct);

    public async Task<PagedResult<Comment>> ListAsync(string postId, bool includeHidden, int page, int pageSize, CancellationToken ct = default)
    {
        var (skip, take) = StoredValues.Page(page, pageSize);
        var filter = Filter.Eq(c => c.PostId, postId);
        if (!includeHidden)
        {
            filter &= Filter.Eq(c => c.Hidden, false);
        }

        var total = await context.Comments.CountDocumentsAsync(filter, cancellationToken: ct);
        var items = total == 0
            ? []
            : await context.Comments.Find(filter)
                .Sort(Builders<Comment>.Sort.Ascending(c => c.CreatedAt).Ascending(c => c.Id))
                .Skip(skip)
                .Limit(take)
                .ToListAsync(ct);
        return new PagedResult<Comment>(items, total);
    }

    public async Task<bool> UpdateBodyAsync(string postId, string id, string body, DateTime updatedAt, CancellationToken ct = default)
    {
        var result = await context.Comments.UpdateOneAsync(
            ById(postId, id),
            Builders<Comment>.Update.Set(c => c.Body, body).Set(c => c.UpdatedAt, StoredValues.Time(updatedAt)),
            cancellationToken: ct);
        return result.MatchedCount > 0;
    }

    public async Task<bool> SetHiddenAsync(string postId, string id, bool hidden, CancellationToken ct = default)
    {
        // Only the call that actually flips the flag adjusts the count, however many run at once.
        var flipped = await context.Comments.UpdateOneAsync(
            ById(postId, id) & Filter.Eq(c => c.Hidden, !hidden),
            Builders<Comment>.Update.Set(c => c.Hidden, hidden),
            cancellationToken: ct);
        if (flipped.ModifiedCount > 0)
        {
            await AdjustCountAsync(postId, hidden ? -1 : +1, ct);
            return true;
        }

        return await context.Comments.CountDocumentsAsync(ById(postId, id), new CountOptions { Limit = 1 }, ct) > 0;
    }

    public async Task<bool> DeleteAsync(string postId, string id, CancellationToken ct = default)
    {
        var deleted = await context.Comments.FindOneAndDeleteAsync(ById(postId, id), cancellationToken: ct);
        if (deleted is null)
        {
            return false;
        }

        if (!deleted.Hidden)
        {
            await AdjustCountAsync(postId, -1, ct);
        }

        return true;
    }

    private static FilterDefinition<Comment> ById(string postId, string id) =>
        Filter.Eq(c => c.Id, id) & Filter.Eq(c => c.PostId, postId);

    // commentCount = max(0, commentCount + delta), atomically on the server.
    private Task AdjustCountAsync(string postId, int delta, CancellationToken ct)
    {
        var field = MongoContext.ElementName<Post>(nameof(Post.CommentCount));
        var stage = new BsonDocument("$set", new BsonDocument(
            field,
            new BsonDocument("$max", new BsonArray
            {
                0,
                new BsonDocument("$add", new BsonArray { new BsonDocument("$ifNull", new BsonArray { "$" + field, 0 }), delta }),
            })));
        return context.Posts.UpdateOneAsync(
            Builders<Post>.Filter.Eq(p => p.Id, postId),
            Builders<Post>.Update.Pipeline(PipelineDefinition<Post, Post>.Create(stage)),
            cancellationToken: ct);
    }
}
