using Blog.Api.Posts;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <summary>
/// Prepares the MongoDB database at start-up, on every replica: creates the indexes, fills fields that an earlier
/// version did not store, and repairs what a crash between two writes can leave (see <see cref="RepairCommentsAsync"/>).
/// Each step is idempotent, so replicas starting together do no harm.
/// </summary>
/// <remarks>
/// Creating an index that exists with the same name, keys and options is a no-op; an existing <em>name</em> with other
/// keys is refused (IndexKeySpecsConflict, code 86), so an index whose keys change gets a new name and the old name is
/// dropped. The unique indexes are on the normalised (lower-case) copies, never on a collation. They are made here only:
/// a database dropped while the API runs has none until the API restarts (docs/storage.md).
/// </remarks>
internal sealed class MongoStoreInitializer(MongoContext context) : IStoreInitializer
{
    /// <summary>Version 1's comments index, <c>{ postId: 1, createdAt: 1 }</c>: it could not serve the <c>_id</c> tie-break of the sort.</summary>
    public const string OldCommentsIndex = "postId_createdAt";

    /// <summary><c>{ postId: 1, createdAt: 1, _id: 1 }</c>: the filter of a post's comment list and its whole sort.</summary>
    public const string CommentsIndex = "postId_createdAt_id";

    public async Task InitializeAsync(CancellationToken ct = default)
    {
        await CreateIndexesAsync(ct).ConfigureAwait(false);
        await FillDisplayNameKeysAsync(ct).ConfigureAwait(false);
        await PrivatizeDraftSlugsAsync(ct).ConfigureAwait(false);
        await RepairCommentsAsync(ct).ConfigureAwait(false);
    }

    private async Task CreateIndexesAsync(CancellationToken ct)
    {
        var users = Builders<User>.IndexKeys;
        await context.Users.Indexes.CreateManyAsync(
        [
            new(users.Ascending(u => u.NormalizedUsername), new CreateIndexOptions { Name = MongoContext.UsernameIndex, Unique = true }),
            new(users.Ascending(u => u.NormalizedEmail), new CreateIndexOptions { Name = MongoContext.EmailIndex, Unique = true }),
            new(users.Ascending(u => u.Role).Ascending(u => u.Disabled), new CreateIndexOptions { Name = "role_disabled" }),
        ], ct).ConfigureAwait(false);

        var posts = Builders<Post>.IndexKeys;
        await context.Posts.Indexes.CreateManyAsync(
        [
            new(posts.Ascending(p => p.Slug), new CreateIndexOptions { Name = MongoContext.SlugIndex, Unique = true }),
            new(posts.Ascending(p => p.Status).Descending(p => p.PublishedAt).Descending(p => p.Id), new CreateIndexOptions { Name = "status_publishedAt" }),
            new(posts.Ascending(p => p.Status).Descending(p => p.UpdatedAt).Descending(p => p.Id), new CreateIndexOptions { Name = "status_updatedAt" }),
            new(posts.Ascending(p => p.AuthorId), new CreateIndexOptions { Name = "authorId" }),
            new(posts.Ascending(p => p.SearchTerms), new CreateIndexOptions { Name = "searchTerms" }),
            new(posts.Ascending(p => p.Tags), new CreateIndexOptions { Name = "tags" }),
        ], ct).ConfigureAwait(false);

        var comments = Builders<Comment>.IndexKeys;
        await context.Comments.Indexes.CreateOneAsync(
            new CreateIndexModel<Comment>(
                comments.Ascending(c => c.PostId).Ascending(c => c.CreatedAt).Ascending(c => c.Id),
                new CreateIndexOptions { Name = CommentsIndex }),
            cancellationToken: ct).ConfigureAwait(false);
        await DropIndexIfPresentAsync(context.Comments, OldCommentsIndex, ct).ConfigureAwait(false);

        var tokens = Builders<RefreshToken>.IndexKeys;
        await context.RefreshTokens.Indexes.CreateManyAsync(
        [
            new(tokens.Ascending(t => t.TokenHash), new CreateIndexOptions { Name = MongoContext.TokenHashIndex, Unique = true }),
            new(tokens.Ascending(t => t.FamilyId), new CreateIndexOptions { Name = "familyId" }),
            new(tokens.Ascending(t => t.UserId), new CreateIndexOptions { Name = "userId" }),
            // TTL: MongoDB deletes a token once expiresAt (a BSON date: the TTL monitor ignores other types) has passed;
            // its monitor runs about once a minute.
            new(tokens.Ascending(t => t.ExpiresAt), new CreateIndexOptions { Name = "expiresAt_ttl", ExpireAfter = TimeSpan.Zero }),
        ], ct).ConfigureAwait(false);

        // Sign-in counters are looked up by _id only (its index always exists); the TTL index removes a window's
        // counters once it has ended.
        await context.SignInAttempts.Indexes.CreateOneAsync(
            new CreateIndexModel<SignInAttempt>(
                Builders<SignInAttempt>.IndexKeys.Ascending(a => a.ExpiresAt),
                new CreateIndexOptions { Name = "expiresAt_ttl", ExpireAfter = TimeSpan.Zero }),
            cancellationToken: ct).ConfigureAwait(false);

        var families = Builders<RefreshFamily>.IndexKeys;
        await context.RefreshFamilies.Indexes.CreateManyAsync(
        [
            new(families.Ascending(f => f.UserId), new CreateIndexOptions { Name = "userId" }),
            // TTL as for tokens: a family is gone once its absolute lifetime (a BSON date) is over; every lookup also
            // checks the time, since the monitor runs only about once a minute.
            new(families.Ascending(f => f.ExpiresAt), new CreateIndexOptions { Name = "expiresAt_ttl", ExpireAfter = TimeSpan.Zero }),
        ], ct).ConfigureAwait(false);
    }

    private static async Task DropIndexIfPresentAsync<T>(IMongoCollection<T> collection, string name, CancellationToken ct)
    {
        using var cursor = await collection.Indexes.ListAsync(ct).ConfigureAwait(false);
        var present = (await cursor.ToListAsync(ct).ConfigureAwait(false)).Any(index => index.GetValue("name", "").AsString == name);
        if (!present)
        {
            return;
        }

        try
        {
            await collection.Indexes.DropOneAsync(name, ct).ConfigureAwait(false);
        }
        catch (MongoCommandException ex) when (ex.Code == 27)
        {
            // IndexNotFound: another replica starting at the same moment dropped it first.
        }
    }

    /// <summary>
    /// Drafts written before draft slugs were private (<see cref="Slugs.ForDraft"/>) still hold a public-looking slug,
    /// which pushes another author's post of the same title to "-2" and so tells that the draft exists. Each gets a
    /// private slug on its own; the update names the status and slug it read, so a publish in between is never undone.
    /// </summary>
    private async Task PrivatizeDraftSlugsAsync(CancellationToken ct)
    {
        var filter = Builders<Post>.Filter;
        var drafts = await context.Posts.Find(filter.Eq(p => p.Status, PostStatus.Draft))
            .Project(Builders<Post>.Projection.Include(p => p.Id).Include(p => p.Slug))
            .ToListAsync(ct).ConfigureAwait(false);
        var slugField = MongoContext.ElementName<Post>(nameof(Post.Slug));
        foreach (var draft in drafts.Where(d => !Slugs.IsDraft(d[slugField].AsString)))
        {
            var slug = draft[slugField].AsString;
            await context.Posts.UpdateOneAsync(
                filter.Eq(p => p.Id, draft["_id"].AsString) & filter.Eq(p => p.Status, PostStatus.Draft) & filter.Eq(p => p.Slug, slug),
                Builders<Post>.Update.Set(p => p.Slug, Slugs.ForDraft(slug)),
                cancellationToken: ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Users written before <see cref="User.NormalizedDisplayName"/> existed get it, so the admin search finds them by
    /// display name. The update names the display name it computed from, so a profile edit in between is never undone.
    /// </summary>
    private async Task FillDisplayNameKeysAsync(CancellationToken ct)
    {
        var filter = Builders<User>.Filter;
        var missing = await context.Users.Find(filter.Exists(u => u.NormalizedDisplayName, false)).ToListAsync(ct).ConfigureAwait(false);
        foreach (var user in missing)
        {
            await context.Users.UpdateOneAsync(
                filter.Eq(u => u.Id, user.Id) & filter.Eq(u => u.DisplayName, user.DisplayName),
                Builders<User>.Update.Set(u => u.NormalizedDisplayName, UserSearch.DisplayNameKey(user.DisplayName)),
                cancellationToken: ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The repair the storage contract promises (docs/storage.md): without transactions a comment and its post's count
    /// are two writes, and so are a post and its comments on delete, so a crash between them can leave a wrong
    /// <c>commentCount</c> or comments of a deleted post, nothing worse. Here comments whose post is gone are deleted and
    /// every post's count is set to its visible comments. Each count is set with a filter on the count just read, so a
    /// comment operation finishing meanwhile is not overwritten; one racing exactly between its two writes can still
    /// leave that count off by its one step, until the next start.
    /// </summary>
    internal async Task RepairCommentsAsync(CancellationToken ct)
    {
        var comments = Builders<Comment>.Filter;
        var posts = Builders<Post>.Filter;

        // Orphans: post ids that comments name but no post has. A comment is only ever created for an existing post.
        using (var cursor = await context.Comments.DistinctAsync(c => c.PostId, comments.Empty, cancellationToken: ct).ConfigureAwait(false))
        {
            var named = await cursor.ToListAsync(ct).ConfigureAwait(false);
            foreach (var batch in named.Chunk(500))
            {
                var existing = await context.Posts.Find(posts.In(p => p.Id, batch))
                    .Project(Builders<Post>.Projection.Include(p => p.Id))
                    .ToListAsync(ct).ConfigureAwait(false);
                var gone = batch.Except(existing.Select(p => p["_id"].AsString), StringComparer.Ordinal).ToList();
                if (gone.Count > 0)
                {
                    await context.Comments.DeleteManyAsync(comments.In(c => c.PostId, gone), ct).ConfigureAwait(false);
                }
            }
        }

        var postId = MongoContext.ElementName<Comment>(nameof(Comment.PostId));
        PipelineDefinition<Comment, BsonDocument> visiblePerPost = new BsonDocument[]
        {
            new("$match", new BsonDocument(MongoContext.ElementName<Comment>(nameof(Comment.Hidden)), false)),
            new("$group", new BsonDocument { { "_id", "$" + postId }, { "count", new BsonDocument("$sum", 1) } }),
        };
        var counted = new Dictionary<string, int>(StringComparer.Ordinal);
        using (var cursor = await context.Comments.AggregateAsync(visiblePerPost, cancellationToken: ct).ConfigureAwait(false))
        {
            foreach (var group in await cursor.ToListAsync(ct).ConfigureAwait(false))
            {
                counted[group["_id"].AsString] = group["count"].ToInt32();
            }
        }

        var countField = MongoContext.ElementName<Post>(nameof(Post.CommentCount));
        var stored = await context.Posts.Find(posts.Empty)
            .Project(Builders<Post>.Projection.Include(p => p.Id).Include(p => p.CommentCount))
            .ToListAsync(ct).ConfigureAwait(false);
        foreach (var post in stored)
        {
            var id = post["_id"].AsString;
            var current = post.GetValue(countField, 0).ToInt32();
            var actual = counted.GetValueOrDefault(id);
            if (current != actual)
            {
                await context.Posts.UpdateOneAsync(
                    posts.Eq(p => p.Id, id) & posts.Eq(p => p.CommentCount, current),
                    Builders<Post>.Update.Set(p => p.CommentCount, actual),
                    cancellationToken: ct).ConfigureAwait(false);
            }
        }
    }
}
