namespace Blog.Api.Storage;

// The storage contract. Two implementations: MongoDB (Storage/MongoDB) and the embedded LiteDB file (Storage/LiteDB);
// Blog.Tests runs one contract suite against each, so both behave the same: uniqueness on the normalised keys,
// the same ordering, the same search semantics, the same concurrency rules.
// Two-document writes (a comment and its post's count; a post and its comments) are two atomic single-document writes
// on MongoDB, ordered so that a crash between them leaves at worst a wrong CommentCount or comments of a deleted post;
// IStoreInitializer repairs both at every start. A new operation that writes two documents follows the same rule: the
// repairable one second, and the repair extended (docs/storage.md). Nothing else may be left half-written.

public interface IUserStore
{
    Task<User?> FindByIdAsync(string id, CancellationToken ct = default);
    /// <summary>By username, any case.</summary>
    Task<User?> FindByUsernameAsync(string username, CancellationToken ct = default);
    /// <summary>By username or email, any case.</summary>
    Task<User?> FindByLoginAsync(string usernameOrEmail, CancellationToken ct = default);
    /// <summary>Throws <see cref="DuplicateKeyException"/> (field "username" or "email") when either is taken.</summary>
    Task CreateAsync(User user, CancellationToken ct = default);
    /// <summary>Display name and bio.</summary>
    Task<bool> UpdateProfileAsync(string id, string displayName, string? bio, CancellationToken ct = default);
    Task<bool> SetPasswordHashAsync(string id, string passwordHash, CancellationToken ct = default);
    /// <summary>
    /// Admin list ordered by username: <paramref name="search"/> matches username, email or display name by
    /// <see cref="UserSearch"/>'s rule (invariant lower case, ordinal substring, every character literal, lone surrogate
    /// halves left out).
    /// </summary>
    Task<PagedResult<User>> ListAsync(string? search, int page, int pageSize, CancellationToken ct = default);
    Task<long> CountAsync(CancellationToken ct = default);
    /// <summary>
    /// Changes role and/or disabled flag atomically with respect to the "at least one enabled Admin" rule, also when
    /// two such changes race on different API replicas. <paramref name="role"/> is a role name in any case (see
    /// <see cref="Roles.Normalize"/>); an unknown name throws <see cref="ArgumentException"/>. Holds also when a change
    /// stalls or its replica crashes midway; a crashed replica never blocks others for more than 15 s. When the store
    /// cannot complete the change now it throws <see cref="StoreBusyException"/> having changed nothing (the API: 503).
    /// </summary>
    Task<AccountChangeResult> ChangeAccountAsync(string id, string? role, bool? disabled, CancellationToken ct = default);
    /// <summary>Atomically increments <see cref="User.SessionVersion"/> (ends every session of the user); false when the user is gone.</summary>
    Task<bool> EndSessionsAsync(string id, CancellationToken ct = default);
}

/// <summary>
/// Counters of sign-in attempts, shared by every API replica (the sign-in throttle, see <c>SignInGuard</c>). A counter
/// lives for one time window: its key names the window, and it is deleted once <see cref="SignInAttempt.ExpiresAt"/>
/// has passed.
/// </summary>
public interface ISignInAttemptStore
{
    /// <summary>
    /// Adds one to the counter <paramref name="key"/>, creating it (with <paramref name="expiresAt"/>) at 1 when it does
    /// not exist, and returns the count after this increment. Atomic: N concurrent calls on any replicas return 1..N,
    /// each value once. An existing counter keeps its expiry.
    /// </summary>
    Task<long> IncrementAsync(string key, DateTime expiresAt, CancellationToken ct = default);
    /// <summary>The current count, 0 when there is no counter.</summary>
    Task<long> GetAsync(string key, CancellationToken ct = default);
    /// <summary>Removes counters whose expiry is at or before <paramref name="now"/> (MongoDB also has a TTL index; LiteDB relies on this).</summary>
    Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default);
}

public interface IPostStore
{
    /// <summary>Throws <see cref="DuplicateKeyException"/> (field "slug") when the slug is taken.</summary>
    Task CreateAsync(Post post, CancellationToken ct = default);
    /// <summary>The post without its <see cref="Post.SearchTerms"/> (empty): only the search index needs them, and every write recomputes them.</summary>
    Task<Post?> FindBySlugAsync(string slug, CancellationToken ct = default);
    /// <summary>As <see cref="FindBySlugAsync"/>.</summary>
    Task<Post?> FindByIdAsync(string id, CancellationToken ct = default);
    /// <summary>
    /// A page of summaries: every field except <see cref="Post.Body"/> and <see cref="Post.SearchTerms"/> (both empty),
    /// which a list never shows and which make up most of a post. Read a post by slug or id for its body.
    /// </summary>
    Task<PagedResult<Post>> ListAsync(PostQuery query, CancellationToken ct = default);
    /// <summary>
    /// Replaces the post when its stored version is <paramref name="expectedVersion"/>, storing it with version + 1
    /// (also set on <paramref name="post"/>). False when the version moved on or the post is gone: nothing is written.
    /// CommentCount is not written (the comment operations own it); the stored count is copied to <paramref name="post"/>.
    /// Throws <see cref="DuplicateKeyException"/> (field "slug") when a changed slug is taken.
    /// </summary>
    Task<bool> UpdateAsync(Post post, long expectedVersion, CancellationToken ct = default);
    /// <summary>Deletes the post and all its comments.</summary>
    Task<bool> DeleteAsync(string id, CancellationToken ct = default);
    /// <summary>Tags of published posts with their counts, most used first, then by name.</summary>
    Task<IReadOnlyList<TagCount>> GetTagCountsAsync(CancellationToken ct = default);
}

public interface ICommentStore
{
    /// <summary>Stores the comment and increments the post's CommentCount.</summary>
    Task CreateAsync(Comment comment, CancellationToken ct = default);
    Task<Comment?> FindAsync(string postId, string id, CancellationToken ct = default);
    /// <summary>Oldest first.</summary>
    Task<PagedResult<Comment>> ListAsync(string postId, bool includeHidden, int page, int pageSize, CancellationToken ct = default);
    Task<bool> UpdateBodyAsync(string postId, string id, string body, DateTime updatedAt, CancellationToken ct = default);
    /// <summary>Sets the hidden flag and keeps the post's CommentCount (visible comments) right.</summary>
    Task<bool> SetHiddenAsync(string postId, string id, bool hidden, CancellationToken ct = default);
    /// <summary>Deletes the comment and keeps the post's CommentCount right.</summary>
    Task<bool> DeleteAsync(string postId, string id, CancellationToken ct = default);
}

public interface IRefreshTokenStore
{
    /// <summary>Throws <see cref="DuplicateKeyException"/> (field "id" or "tokenHash") when the id or the hash is taken.</summary>
    Task CreateAsync(RefreshToken token, CancellationToken ct = default);
    Task<RefreshToken?> FindByIdAsync(string id, CancellationToken ct = default);
    Task<RefreshToken?> FindByHashAsync(string tokenHash, CancellationToken ct = default);
    /// <summary>Marks the token consumed if it is not yet: true for exactly one caller.</summary>
    Task<bool> TryConsumeAsync(string id, DateTime now, CancellationToken ct = default);
    Task RevokeAsync(string id, DateTime now, CancellationToken ct = default);
    /// <summary>Revokes the family document (the first revocation time is kept) and then its tokens.</summary>
    Task RevokeFamilyAsync(string familyId, DateTime now, CancellationToken ct = default);
    /// <summary>Revokes every family of the user and their tokens.</summary>
    Task RevokeAllForUserAsync(string userId, DateTime now, CancellationToken ct = default);
    /// <summary>Removes tokens and families past their expiry (MongoDB also has TTL indexes; LiteDB relies on this); returns how many documents went.</summary>
    Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default);
    /// <summary>Throws <see cref="DuplicateKeyException"/> (field "id") when the id is taken.</summary>
    Task CreateFamilyAsync(RefreshFamily family, CancellationToken ct = default);
    Task<RefreshFamily?> FindFamilyAsync(string familyId, CancellationToken ct = default);
}

/// <summary>
/// Creates indexes and whatever else a store needs before first use, and repairs what a crash between the two writes of
/// a two-document operation can leave (CommentCount recomputed from the visible comments, comments of deleted posts
/// removed); run at every start-up, by every replica, before requests are served. Idempotent.
/// </summary>
public interface IStoreInitializer
{
    Task InitializeAsync(CancellationToken ct = default);
}
