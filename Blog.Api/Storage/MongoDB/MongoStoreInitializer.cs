using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <summary>
/// Creates the MongoDB store's indexes at start-up. Creating an index that exists with the same keys and options is a
/// no-op, so every replica runs it. The unique indexes are on the normalised (lower-case) copies, never on a collation.
/// </summary>
internal sealed class MongoStoreInitializer(MongoContext context) : IStoreInitializer
{
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        var users = Builders<User>.IndexKeys;
        await context.Users.Indexes.CreateManyAsync(
        [
            new(users.Ascending(u => u.NormalizedUsername), new CreateIndexOptions { Name = MongoContext.UsernameIndex, Unique = true }),
            new(users.Ascending(u => u.NormalizedEmail), new CreateIndexOptions { Name = MongoContext.EmailIndex, Unique = true }),
            new(users.Ascending(u => u.Role).Ascending(u => u.Disabled), new CreateIndexOptions { Name = "role_disabled" }),
        ], ct);

        var posts = Builders<Post>.IndexKeys;
        await context.Posts.Indexes.CreateManyAsync(
        [
            new(posts.Ascending(p => p.Slug), new CreateIndexOptions { Name = MongoContext.SlugIndex, Unique = true }),
            new(posts.Ascending(p => p.Status).Descending(p => p.PublishedAt).Descending(p => p.Id), new CreateIndexOptions { Name = "status_publishedAt" }),
            new(posts.Ascending(p => p.Status).Descending(p => p.UpdatedAt).Descending(p => p.Id), new CreateIndexOptions { Name = "status_updatedAt" }),
            new(posts.Ascending(p => p.AuthorId), new CreateIndexOptions { Name = "authorId" }),
            new(posts.Ascending(p => p.SearchTerms), new CreateIndexOptions { Name = "searchTerms" }),
            new(posts.Ascending(p => p.Tags), new CreateIndexOptions { Name = "tags" }),
        ], ct);

        var comments = Builders<Comment>.IndexKeys;
        await context.Comments.Indexes.CreateOneAsync(
            new CreateIndexModel<Comment>(comments.Ascending(c => c.PostId).Ascending(c => c.CreatedAt), new CreateIndexOptions { Name = "postId_createdAt" }),
            cancellationToken: ct);

        var tokens = Builders<RefreshToken>.IndexKeys;
        await context.RefreshTokens.Indexes.CreateManyAsync(
        [
            new(tokens.Ascending(t => t.TokenHash), new CreateIndexOptions { Name = MongoContext.TokenHashIndex, Unique = true }),
            new(tokens.Ascending(t => t.FamilyId), new CreateIndexOptions { Name = "familyId" }),
            new(tokens.Ascending(t => t.UserId), new CreateIndexOptions { Name = "userId" }),
            // TTL: MongoDB deletes a token once expiresAt has passed (its monitor runs about once a minute).
            new(tokens.Ascending(t => t.ExpiresAt), new CreateIndexOptions { Name = "expiresAt_ttl", ExpireAfter = TimeSpan.Zero }),
        ], ct);

        // Sign-in counters are looked up by _id only (its index always exists); the TTL index removes a window's
        // counters once it has ended.
        await context.SignInAttempts.Indexes.CreateOneAsync(
            new CreateIndexModel<SignInAttempt>(
                Builders<SignInAttempt>.IndexKeys.Ascending(a => a.ExpiresAt),
                new CreateIndexOptions { Name = "expiresAt_ttl", ExpireAfter = TimeSpan.Zero }),
            cancellationToken: ct);
    }
}
