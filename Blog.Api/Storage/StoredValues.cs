namespace Blog.Api.Storage;

/// <summary>
/// What both stores do to a document before writing it, so that MongoDB and LiteDB hold (and give back) the same
/// values: times in UTC truncated to milliseconds (BSON dates have no finer precision), the normalised unique keys
/// recomputed from their source, and a post's search terms derived from its text. The caller's object is updated in
/// place, so after a write it equals what a later read returns.
/// </summary>
internal static class StoredValues
{
    public static DateTime Time(DateTime value) => value.ToStoredPrecision();

    public static DateTime? Time(DateTime? value) => value is { } v ? Time(v) : null;

    public static string Key(string value) => value.ToLowerInvariant();

    public static User Normalize(User user)
    {
        user.NormalizedUsername = Key(user.Username);
        user.NormalizedEmail = Key(user.Email);
        user.NormalizedDisplayName = UserSearch.DisplayNameKey(user.DisplayName);
        user.CreatedAt = Time(user.CreatedAt);
        return user;
    }

    public static Post Normalize(Post post)
    {
        post.Tags ??= [];
        post.SearchTerms = SearchTerms.FromPost(post.Title, post.Summary ?? "", post.Body ?? "");
        post.CreatedAt = Time(post.CreatedAt);
        post.UpdatedAt = Time(post.UpdatedAt);
        post.PublishedAt = Time(post.PublishedAt);
        return post;
    }

    public static Comment Normalize(Comment comment)
    {
        comment.CreatedAt = Time(comment.CreatedAt);
        comment.UpdatedAt = Time(comment.UpdatedAt);
        return comment;
    }

    public static RefreshToken Normalize(RefreshToken token)
    {
        token.CreatedAt = Time(token.CreatedAt);
        token.ExpiresAt = Time(token.ExpiresAt);
        token.ConsumedAt = Time(token.ConsumedAt);
        token.RevokedAt = Time(token.RevokedAt);
        return token;
    }

    public static RefreshFamily Normalize(RefreshFamily family)
    {
        family.CreatedAt = Time(family.CreatedAt);
        family.ExpiresAt = Time(family.ExpiresAt);
        family.RevokedAt = Time(family.RevokedAt);
        return family;
    }

    /// <summary>Page numbers start at 1; a page holds at least one item. The API caps the size; this only guards the stores.</summary>
    public static (int Skip, int Take) Page(int page, int pageSize)
    {
        var take = Math.Max(1, pageSize);
        var skip = (long)(Math.Max(1, page) - 1) * take;
        return ((int)Math.Min(skip, int.MaxValue), take);
    }

    /// <summary>Posts are ordered by PublishedAt when published and by UpdatedAt when drafts.</summary>
    public static bool IsDraftQuery(PostQuery query) => query.Status == PostStatus.Draft;
}
