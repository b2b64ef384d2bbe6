using Blog.Api.Storage;
using Blog.Api.Storage.LiteDB;

namespace Blog.Tests.Storage;

/// <summary>The four stores of one implementation, plus its initializer.</summary>
public sealed record StoreSet(
    IUserStore Users, IPostStore Posts, ICommentStore Comments, IRefreshTokenStore Tokens, IStoreInitializer Initializer);

/// <summary>One storage implementation under test. <see cref="SkipReason"/> is set when it cannot run on this machine.</summary>
public interface IStoreFixture
{
    string? SkipReason { get; }

    /// <summary>Empties every collection (indexes stay) and returns the stores; tests in one class run one at a time.</summary>
    Task<StoreSet> ResetAsync(CancellationToken ct);
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
            new LiteDbStoreInitializer(_context));
    }

    public string FilePath { get; }

    public string? SkipReason => null;

    public async Task<StoreSet> ResetAsync(CancellationToken ct)
    {
        _context.Users.DeleteAll();
        _context.Posts.DeleteAll();
        _context.Comments.DeleteAll();
        _context.RefreshTokens.DeleteAll();
        await _stores.Initializer.InitializeAsync(ct);
        return _stores;
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
