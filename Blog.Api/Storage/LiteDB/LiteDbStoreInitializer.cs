namespace Blog.Api.Storage.LiteDB;

/// <summary>Creates the embedded store's indexes (see <see cref="LiteDbContext.EnsureIndexes"/>); idempotent.</summary>
internal sealed class LiteDbStoreInitializer(LiteDbContext context) : IStoreInitializer
{
    public Task InitializeAsync(CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        context.EnsureIndexes();
        return Task.CompletedTask;
    }
}
