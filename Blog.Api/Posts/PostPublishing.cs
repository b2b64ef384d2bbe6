using System.Security.Cryptography;
using Blog.Api.Storage;

namespace Blog.Api.Posts;

/// <summary>
/// The publishing rules: which slug a post holds in each status, and what publishing and unpublishing change. A draft
/// holds a private random slug (<see cref="Slugs.ForDraft"/>), a published post the first free public slug on its
/// title's base; so which slug a post gets depends on published posts only, never on another author's drafts (which
/// hold no public slug). <c>PublishedAt</c> is set on the first publication and kept afterwards.
/// </summary>
public sealed class PostPublishing(IPostStore posts, TimeProvider clock)
{
    // "title", "title-2", ... "title-10", then a random suffix: a popular title costs at most a dozen round trips.
    private const int SequentialSlugAttempts = 10;
    private const int RandomSlugAttempts = 5;

    /// <summary>A new post of this author, published at once or a draft, with no content yet.</summary>
    public Post New(string authorId, bool publish)
    {
        var now = clock.GetUtcNowForStorage();
        return new Post
        {
            Id = DocumentIds.New(),
            Slug = "",
            Title = "",
            AuthorId = authorId,
            CreatedAt = now,
            UpdatedAt = now,
            Status = publish ? PostStatus.Published : PostStatus.Draft,
            PublishedAt = publish ? now : null,
        };
    }

    /// <summary>Stores a new post under the slug its status calls for.</summary>
    public async Task CreateAsync(Post post, CancellationToken ct)
    {
        var baseSlug = Slugs.FromTitle(post.Title);
        for (var attempt = 1; ; attempt++)
        {
            post.Slug = post.Status == PostStatus.Published ? PublicSlugCandidate(baseSlug, attempt) : Slugs.ForDraft(baseSlug);
            try
            {
                await posts.CreateAsync(post, ct);
                return;
            }
            catch (DuplicateKeyException e) when (e.Field == "slug" && attempt < SequentialSlugAttempts + RandomSlugAttempts)
            {
            }
        }
    }

    /// <summary>
    /// Moves the post to <paramref name="status"/> (a different one than it has) with the slug that goes with it, if its
    /// version is still the one read. False when the version moved on (nothing written): read the post again and retry.
    /// </summary>
    public Task<bool> TryChangeStatusAsync(Post post, string status, CancellationToken ct)
    {
        var now = clock.GetUtcNowForStorage();
        var expectedVersion = post.Version;
        post.Status = status;
        post.UpdatedAt = now;
        post.PublishedAt ??= status == PostStatus.Published ? now : null;
        return UpdateStatusAsync(post, expectedVersion, ct);
    }

    private static string PublicSlugCandidate(string baseSlug, int attempt) => attempt switch
    {
        1 => baseSlug,
        <= SequentialSlugAttempts => Slugs.WithSuffix(baseSlug, attempt),
        _ => Slugs.WithSuffix(baseSlug, RandomNumberGenerator.GetInt32(11, 1_000_000)),
    };

    /// <summary>
    /// Writes a status change with its slug: publishing a post that has a draft slug gives it the first free public slug
    /// on the same base, unpublishing gives it a draft slug again (its public one is free for others: no answer may tell
    /// that a hidden post had it). The unique slug index settles two publishes racing for one slug, in both stores: the
    /// loser's update throws <see cref="DuplicateKeyException"/> and tries the next.
    /// </summary>
    private async Task<bool> UpdateStatusAsync(Post post, long expectedVersion, CancellationToken ct)
    {
        var baseSlug = Slugs.BaseOf(post.Slug);
        var publishing = post.Status == PostStatus.Published;
        if (publishing && !Slugs.IsDraft(post.Slug))
        {
            // A post published before drafts had private slugs: it keeps the one it has.
            return await posts.UpdateAsync(post, expectedVersion, ct);
        }

        for (var attempt = 1; ; attempt++)
        {
            post.Slug = publishing ? PublicSlugCandidate(baseSlug, attempt) : Slugs.ForDraft(baseSlug);
            post.Version = expectedVersion;
            try
            {
                return await posts.UpdateAsync(post, expectedVersion, ct);
            }
            catch (DuplicateKeyException e) when (e.Field == "slug" && attempt < SequentialSlugAttempts + RandomSlugAttempts)
            {
            }
        }
    }
}
