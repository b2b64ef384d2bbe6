using LiteDB;

namespace Blog.Api.Storage.LiteDB;

internal sealed class LiteDbPostStore(LiteDbContext context) : IPostStore
{
    public Task CreateAsync(Post post, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(post);
        context.Write(() => context.Posts.Insert(post));
        return Task.CompletedTask;
    }

    public Task<Post?> FindBySlugAsync(string slug, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<Post?>(context.Posts.FindOne(Query.EQ(nameof(Post.Slug), slug)));
    }

    public Task<Post?> FindByIdAsync(string id, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<Post?>(context.Posts.FindById(id));
    }

    public Task<PagedResult<Post>> ListAsync(PostQuery query, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var (skip, take) = StoredValues.Page(query.Page, query.PageSize);

        ILiteQueryable<Post> Filtered()
        {
            // Every value is a parameter (@0); nothing from the request becomes part of an expression.
            // Status has no index on purpose: with none to pick for it, LiteDB walks the PublishedAt/UpdatedAt index in
            // order and stops after one page, instead of loading every published post to sort them.
            var q = context.Posts.Query().Where("$.Status = @0", query.Status);
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

            return q;
        }

        var total = Filtered().LongCount();
        var ordered = StoredValues.IsDraftQuery(query)
            ? Filtered().OrderByDescending(x => x.UpdatedAt)
            : Filtered().OrderByDescending(x => x.PublishedAt);
        List<Post> items = total == 0 ? [] : ordered.Skip(skip).Limit(take).ToList();
        return Task.FromResult(new PagedResult<Post>(items, total));
    }

    public Task<bool> UpdateAsync(Post post, long expectedVersion, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        StoredValues.Normalize(post);
        return Task.FromResult(context.Write(() =>
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
        return Task.FromResult(context.Write(() =>
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

        IReadOnlyList<TagCount> result = counts
            .OrderByDescending(x => x.Value)
            .ThenBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new TagCount(x.Key, x.Value))
            .ToList();
        return Task.FromResult(result);
    }
}
