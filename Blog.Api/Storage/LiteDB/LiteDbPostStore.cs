using LiteDB;

namespace Blog.Api.Storage.LiteDB;

internal sealed class LiteDbPostStore(LiteDbContext context) : IPostStore
{
    private const string Collection = LiteDbContext.PostsCollection;

    // What a read maps: never SearchTerms (hundreds of words, only the search index needs them; every write recomputes
    // them, see StoredValues.Normalize), and for list pages not the Body either. LiteDB reads only the fields an
    // expression names, so the skipped ones are neither parsed nor mapped (see IPostStore).
    private const string SummaryFields =
        "_id: $._id, Slug: $.Slug, Title: $.Title, Summary: $.Summary, Tags: $.Tags, Status: $.Status, " +
        "AuthorId: $.AuthorId, CreatedAt: $.CreatedAt, UpdatedAt: $.UpdatedAt, PublishedAt: $.PublishedAt, " +
        "Version: $.Version, CommentCount: $.CommentCount";

    private static readonly BsonExpression SummaryProjection = BsonExpression.Create("{ " + SummaryFields + " }");
    private static readonly BsonExpression PostProjection = BsonExpression.Create("{ " + SummaryFields + ", Body: $.Body }");

    private readonly LiteDbReadCache<string, long> _totals = new(context);
    private readonly LiteDbReadCache<bool, IReadOnlyList<TagCount>> _tagCounts = new(context);

    public Task CreateAsync(Post post, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(post);
        context.Write("insert", Collection, () => context.Posts.Insert(post));
        return Task.CompletedTask;
    }

    public Task<Post?> FindBySlugAsync(string slug, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () => FindOne(Query.EQ(nameof(Post.Slug), slug))));
    }

    public Task<Post?> FindByIdAsync(string id, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () => FindOne(Query.EQ("_id", id))));
    }

    private Post? FindOne(BsonExpression where) =>
        context.Posts.Query().Where(where).Select(PostProjection).ToDocuments().FirstOrDefault() is { } document
            ? ToPost(document)
            : null;

    private Post ToPost(BsonDocument document) => context.Database.Mapper.ToObject<Post>(document);

    /// <remarks>
    /// The order is MongoDB's exactly: PublishedAt (drafts: UpdatedAt) newest first, then Id descending. Every value from
    /// the request is a parameter (@0), never part of an expression.
    /// <para>
    /// LiteDB uses one index per query and picks it from the WHERE clause, so Status is never put there (that index
    /// would win and every published post would be loaded to be sorted). Without other filters the page is read by
    /// walking the PublishedAt/UpdatedAt index newest first and stopping after it, and the total is counted on the
    /// Status index without loading documents (and remembered until the next write): both cost about one page, not the
    /// whole collection. With a tag, author
    /// or search filter, LiteDB seeks that index and the (fewer) matches are filtered and sorted here.
    /// </para>
    /// </remarks>
    public Task<PagedResult<Post>> ListAsync(PostQuery query, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () => List(query)));
    }

    private PagedResult<Post> List(PostQuery query)
    {
        var (skip, take) = StoredValues.Page(query.Page, query.PageSize);
        var drafts = StoredValues.IsDraftQuery(query);
        Func<Post, DateTime?> key = drafts ? p => p.UpdatedAt : p => p.PublishedAt;

        var filtered = !string.IsNullOrEmpty(query.Tag) || !string.IsNullOrEmpty(query.AuthorId) || query.Terms.Count > 0;
        if (!filtered)
        {
            var total = _totals.Get(query.Status, status => context.Posts.Query()
                .Where("$.Status = @0", status)
                .Select("$.Status") // answered from the index alone
                .ToDocuments()
                .LongCount());

            var ordered = (drafts
                ? context.Posts.Query().OrderByDescending(x => x.UpdatedAt)
                : context.Posts.Query().OrderByDescending(x => x.PublishedAt)).Select(SummaryProjection);

            // Read until the page is full and the run of equal keys at its end is complete, so that sorting what was
            // read by (key, Id) gives the same page as sorting everything.
            var needed = (long)skip + take;
            var read = new List<Post>();
            foreach (var post in ordered.ToDocuments().Select(ToPost))
            {
                if (post.Status != query.Status)
                {
                    continue;
                }

                if (read.Count >= needed && key(post) != key(read[^1]))
                {
                    break;
                }

                read.Add(post);
            }

            return new PagedResult<Post>(Page(read, key, skip, take), total);
        }

        var q = context.Posts.Query();
        if (!string.IsNullOrEmpty(query.Tag))
        {
            q = q.Where("$.Tags[*] ANY = @0", query.Tag);
        }

        if (!string.IsNullOrEmpty(query.AuthorId))
        {
            q = q.Where("$.AuthorId = @0", query.AuthorId);
        }

        foreach (var term in query.Terms)
        {
            q = q.Where("$.SearchTerms[*] ANY = @0", term);
        }

        var matches = q.Select(SummaryProjection).ToDocuments().Select(ToPost).Where(p => p.Status == query.Status).ToList();
        return new PagedResult<Post>(Page(matches, key, skip, take), matches.Count);
    }

    private static List<Post> Page(List<Post> posts, Func<Post, DateTime?> key, int skip, int take) =>
        posts
            .OrderByDescending(key)
            .ThenByDescending(p => p.Id, StringComparer.Ordinal)
            .Skip(skip)
            .Take(take)
            .ToList();

    public Task<bool> UpdateAsync(Post post, long expectedVersion, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(post);
        return Task.FromResult(context.Write("update", Collection, () =>
        {
            var stored = context.Posts.FindById(post.Id);
            if (stored is null || stored.Version != expectedVersion)
            {
                return false;
            }

            var previousVersion = post.Version;
            post.Version = expectedVersion + 1;
            // The comment operations own the count; an edit made from an older read must not put back a stale one.
            post.CommentCount = stored.CommentCount;
            try
            {
                return context.Posts.Update(post);
            }
            catch
            {
                post.Version = previousVersion;
                throw;
            }
        }));
    }

    public Task<bool> DeleteAsync(string id, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Write("delete", Collection, () =>
        {
            if (!context.Posts.Delete(id))
            {
                return false;
            }

            context.Comments.DeleteMany("$.PostId = @0", id);
            return true;
        }));
    }

    public Task<IReadOnlyList<TagCount>> GetTagCountsAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        // Only a miss reads the file, and only a read is a span.
        return Task.FromResult(_tagCounts.Get(true, _ => context.Read("aggregate", Collection, CountTags)));
    }

    private List<TagCount> CountTags()
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var published = context.Posts.Query()
            .Where("$.Status = @0", PostStatus.Published)
            .Select("{ tags: $.Tags }")
            .ToDocuments();
        foreach (var document in published)
        {
            var tags = document["tags"];
            if (!tags.IsArray)
            {
                continue;
            }

            foreach (var tag in tags.AsArray.Where(t => t.IsString).Select(t => t.AsString).Distinct(StringComparer.Ordinal))
            {
                counts[tag] = counts.GetValueOrDefault(tag) + 1;
            }
        }

        return counts
            .OrderByDescending(x => x.Value)
            .ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new TagCount(x.Key, x.Value))
            .ToList();
    }
}
