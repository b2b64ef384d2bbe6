using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

internal sealed class MongoPostStore(MongoContext context) : IPostStore
{
    private static readonly FilterDefinitionBuilder<Post> Filter = Builders<Post>.Filter;

    // As the embedded store: reads never return SearchTerms, list pages not the Body either (see IPostStore).
    private static readonly ProjectionDefinition<Post, Post> PostProjection =
        Builders<Post>.Projection.Exclude(p => p.SearchTerms);

    private static readonly ProjectionDefinition<Post, Post> SummaryProjection =
        Builders<Post>.Projection.Exclude(p => p.SearchTerms).Exclude(p => p.Body);

    public Task CreateAsync(Post post, CancellationToken ct = default)
    {
        StoredValues.Normalize(post);
        return MongoContext.MapDuplicateKeyAsync(() => context.Posts.InsertOneAsync(post, cancellationToken: ct));
    }

    public async Task<Post?> FindBySlugAsync(string slug, CancellationToken ct = default) =>
        await context.Posts.Find(Filter.Eq(p => p.Slug, slug)).Project(PostProjection).FirstOrDefaultAsync(ct);

    public async Task<Post?> FindByIdAsync(string id, CancellationToken ct = default) =>
        await context.Posts.Find(Filter.Eq(p => p.Id, id)).Project(PostProjection).FirstOrDefaultAsync(ct);

    public async Task<PagedResult<Post>> ListAsync(PostQuery query, CancellationToken ct = default)
    {
        var (skip, take) = StoredValues.Page(query.Page, query.PageSize);

        var filter = Filter.Eq(p => p.Status, query.Status);
        if (!string.IsNullOrEmpty(query.Tag))
        {
            filter &= Filter.AnyEq(p => p.Tags, query.Tag);
        }

        if (!string.IsNullOrEmpty(query.AuthorId))
        {
            filter &= Filter.Eq(p => p.AuthorId, query.AuthorId);
        }

        if (query.Terms.Count > 0)
        {
            // All of the normalised words; the multikey index on searchTerms serves it.
            filter &= Filter.All(p => p.SearchTerms, query.Terms);
        }

        // Id breaks ties so that paging is stable.
        var sort = StoredValues.IsDraftQuery(query)
            ? Builders<Post>.Sort.Descending(p => p.UpdatedAt).Descending(p => p.Id)
            : Builders<Post>.Sort.Descending(p => p.PublishedAt).Descending(p => p.Id);

        var total = await context.Posts.CountDocumentsAsync(filter, cancellationToken: ct);
        var items = total == 0
            ? []
            : await context.Posts.Find(filter).Sort(sort).Skip(skip).Limit(take).Project(SummaryProjection).ToListAsync(ct);
        return new PagedResult<Post>(items, total);
    }

    /// <remarks>
    /// Compare-and-set in one findAndModify whose filter names the expected version: of two updates from the same
    /// version exactly one matches. Every field is set except the comment count, which the comment operations own
    /// (an edit made from an older read must not put back a stale count); the stored count is copied back to the caller.
    /// </remarks>
    public async Task<bool> UpdateAsync(Post post, long expectedVersion, CancellationToken ct = default)
    {
        StoredValues.Normalize(post);
        var update = Builders<Post>.Update
            .Set(p => p.Slug, post.Slug)
            .Set(p => p.Title, post.Title)
            .Set(p => p.Summary, post.Summary)
            .Set(p => p.Body, post.Body)
            .Set(p => p.Tags, post.Tags)
            .Set(p => p.Status, post.Status)
            .Set(p => p.AuthorId, post.AuthorId)
            .Set(p => p.CreatedAt, post.CreatedAt)
            .Set(p => p.UpdatedAt, post.UpdatedAt)
            .Set(p => p.PublishedAt, post.PublishedAt)
            .Set(p => p.SearchTerms, post.SearchTerms)
            .Set(p => p.Version, expectedVersion + 1);

        var stored = await MongoContext.MapDuplicateKeyAsync(() => context.Posts.FindOneAndUpdateAsync(
            Filter.Eq(p => p.Id, post.Id) & Filter.Eq(p => p.Version, expectedVersion),
            update,
            new FindOneAndUpdateOptions<Post> { ReturnDocument = ReturnDocument.After },
            ct));
        if (stored is null)
        {
            return false;
        }

        post.Version = stored.Version;
        post.CommentCount = stored.CommentCount;
        return true;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct = default)
    {
        var deleted = await context.Posts.DeleteOneAsync(Filter.Eq(p => p.Id, id), ct);
        if (deleted.DeletedCount == 0)
        {
            return false;
        }

        await context.Comments.DeleteManyAsync(Builders<Comment>.Filter.Eq(c => c.PostId, id), ct);
        return true;
    }

    public async Task<IReadOnlyList<TagCount>> GetTagCountsAsync(CancellationToken ct = default)
    {
        var status = MongoContext.ElementName<Post>(nameof(Post.Status));
        var tags = "$" + MongoContext.ElementName<Post>(nameof(Post.Tags));
        // Built from constants only. $setUnion with [] removes a post's repeated tags (each post counts once per tag).
        BsonDocument[] pipeline =
        [
            new("$match", new BsonDocument(status, PostStatus.Published)),
            new("$project", new BsonDocument { { "_id", 0 }, { "tag", new BsonDocument("$setUnion", new BsonArray { tags, new BsonArray() }) } }),
            new("$unwind", "$tag"),
            new("$group", new BsonDocument { { "_id", "$tag" }, { "count", new BsonDocument("$sum", 1) } }),
            new("$sort", new BsonDocument { { "count", -1 }, { "_id", 1 } }),
        ];

        using var cursor = await context.Posts.AggregateAsync<BsonDocument>(pipeline, cancellationToken: ct);
        var results = await cursor.ToListAsync(ct);
        return results.Select(d => new TagCount(d["_id"].AsString, d["count"].ToInt64())).ToList();
    }
}
