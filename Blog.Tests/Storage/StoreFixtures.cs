using Blog.Api.Storage;
using Blog.Api.Storage.LiteDB;
using Blog.Api.Storage.MongoDB;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Tests.Storage;

/// <summary>The stores of one implementation, plus its initializer.</summary>
public sealed record StoreSet(
    IUserStore Users, IPostStore Posts, ICommentStore Comments, IRefreshTokenStore Tokens, ISignInAttemptStore Attempts, IStoreInitializer Initializer);

/// <summary>One storage implementation under test. <see cref="SkipReason"/> is set when it cannot run on this machine.</summary>
public interface IStoreFixture
{
    string? SkipReason { get; }

    /// <summary>Empties every collection (indexes stay) and returns the stores; tests in one class run one at a time.</summary>
    Task<StoreSet> ResetAsync(CancellationToken ct);

    /// <summary>
    /// Writes only the comment, not its post's count: one half of a two-document write, as a crash between the two
    /// would leave it (for a post that is gone, this is an orphan).
    /// </summary>
    Task InsertCommentWithoutCountAsync(Comment comment, CancellationToken ct);

    /// <summary>Sets a post's stored CommentCount and nothing else, as a crash or an old bug could have left it.</summary>
    Task SetStoredCommentCountAsync(string postId, int count, CancellationToken ct);
}

/// <summary>A LiteDB file in the temp directory for one test class, deleted afterwards.</summary>
public sealed class LiteDbFixture : IStoreFixture, IDisposable
{
    private readonly LiteDbContext _context;
    private readonly StoreSet _stores;

    public LiteDbFixture()
    {
        FilePath = Path.Combine(Path.GetTempPath(), $"blog-store-tests-{Guid.NewGuid():N}.db");
        _context = new LiteDbContext(FilePath);
        _stores = new StoreSet(
            new LiteDbUserStore(_context),
            new LiteDbPostStore(_context),
            new LiteDbCommentStore(_context),
            new LiteDbRefreshTokenStore(_context),
            new LiteDbSignInAttemptStore(_context),
            new LiteDbStoreInitializer(_context));
    }

    public string FilePath { get; }

    public string? SkipReason => null;

    public async Task<StoreSet> ResetAsync(CancellationToken ct)
    {
        // Through Write, as every change is, so that the store's cached aggregates see it.
        _context.Write("delete", "*", () =>
        {
            _context.Users.DeleteAll();
            _context.Posts.DeleteAll();
            _context.Comments.DeleteAll();
            _context.RefreshTokens.DeleteAll();
            _context.SignInAttempts.DeleteAll();
            _context.RefreshFamilies.DeleteAll();
        });
        await _stores.Initializer.InitializeAsync(ct);
        return _stores;
    }

    public Task InsertCommentWithoutCountAsync(Comment comment, CancellationToken ct)
    {
        _context.Write("insert", LiteDbContext.CommentsCollection, () => _context.Comments.Insert(comment));
        return Task.CompletedTask;
    }

    public Task SetStoredCommentCountAsync(string postId, int count, CancellationToken ct)
    {
        _context.Write("update", LiteDbContext.PostsCollection, () =>
        {
            var post = _context.Posts.FindById(postId);
            post.CommentCount = count;
            _context.Posts.Update(post);
        });
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _context.Dispose();
        foreach (var file in new[] { FilePath, Path.ChangeExtension(FilePath, null) + "-log.db" })
        {
            File.Delete(file);
        }
    }
}

/// <summary>
/// A MongoDB database on the server named by <c>BLOG_TEST_MONGODB</c>, unique to this run and dropped afterwards.
/// Without the variable every test of the class is skipped (reported as skipped, with the reason).
/// </summary>
public sealed class MongoDbFixture : IStoreFixture, IAsyncLifetime
{
    public const string EnvironmentVariable = "BLOG_TEST_MONGODB";

    private readonly string? _connectionString = TestEnvironment.Value(EnvironmentVariable);
    private MongoClient? _client;
    private MongoContext? _context;
    private StoreSet? _stores;

    public string? SkipReason => _connectionString is null
        ? $"no MongoDB server: set {EnvironmentVariable}=mongodb://... to run"
        : null;

    public string DatabaseName { get; } = $"blog_tests_{Guid.NewGuid():N}";

    public async ValueTask InitializeAsync()
    {
        if (SkipReason is not null)
        {
            return;
        }

        var settings = MongoClientSettings.FromConnectionString(_connectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(10);
        _client = new MongoClient(settings);
        _context = new MongoContext(_client.GetDatabase(DatabaseName));
        _stores = new StoreSet(
            new MongoUserStore(_context, new MongoAdminFence(_context)),
            new MongoPostStore(_context),
            new MongoCommentStore(_context),
            new MongoRefreshTokenStore(_context),
            new MongoSignInAttemptStore(_context),
            new MongoStoreInitializer(_context));
        await _stores.Initializer.InitializeAsync(TestContext.Current.CancellationToken);
    }

    public async Task<StoreSet> ResetAsync(CancellationToken ct)
    {
        var context = _context ?? throw new InvalidOperationException("The MongoDB fixture did not start.");
        await context.Users.DeleteManyAsync(FilterDefinition<User>.Empty, ct);
        await context.Posts.DeleteManyAsync(FilterDefinition<Post>.Empty, ct);
        await context.Comments.DeleteManyAsync(FilterDefinition<Comment>.Empty, ct);
        await context.RefreshTokens.DeleteManyAsync(FilterDefinition<RefreshToken>.Empty, ct);
        await context.RefreshFamilies.DeleteManyAsync(FilterDefinition<RefreshFamily>.Empty, ct);
        await context.Locks.DeleteManyAsync(FilterDefinition<BsonDocument>.Empty, ct);
        await context.SignInAttempts.DeleteManyAsync(FilterDefinition<SignInAttempt>.Empty, ct);
        return _stores!;
    }

    internal MongoContext Context => _context ?? throw new InvalidOperationException("The MongoDB fixture did not start.");

    public Task InsertCommentWithoutCountAsync(Comment comment, CancellationToken ct) =>
        Context.Comments.InsertOneAsync(comment, cancellationToken: ct);

    public Task SetStoredCommentCountAsync(string postId, int count, CancellationToken ct) =>
        Context.Posts.UpdateOneAsync(
            Builders<Post>.Filter.Eq(p => p.Id, postId), Builders<Post>.Update.Set(p => p.CommentCount, count), cancellationToken: ct);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DropDatabaseAsync(DatabaseName, CancellationToken.None);
            _client.Dispose();
        }
    }
}
