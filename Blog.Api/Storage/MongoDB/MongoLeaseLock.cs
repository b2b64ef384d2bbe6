using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <summary>
/// A named mutual-exclusion lease shared by every API replica, kept in the <c>locks</c> collection as
/// <c>{ _id: name, owner, expiresAt }</c>. It needs no transactions, so it works on a single-node server.
/// </summary>
/// <remarks>
/// Acquire is one atomic upsert whose filter matches the lock document only when its lease has expired:
/// free or expired -> the update (or the insert, when there is no document) takes it; held -> the filter misses, the
/// upsert's insert collides with the existing <c>_id</c> (E11000), and the caller retries briefly. Expiry is compared
/// with the server's clock (<c>$$NOW</c>), so replicas with skewed clocks agree on it. The lease (15 s) only matters when
/// a holder dies without releasing: the guarded work takes milliseconds, far below it. Release deletes the document
/// only if this holder still owns it.
/// </remarks>
internal sealed class MongoLeaseLock(MongoContext context)
{
    public const string AdminsLockId = "admins";

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    public async Task<IAsyncDisposable> AcquireAsync(string lockId, CancellationToken ct)
    {
        var owner = Guid.NewGuid().ToString("N");
        var filter = new BsonDocument
        {
            { "_id", lockId },
            { "$expr", new BsonDocument("$lt", new BsonArray { "$expiresAt", "$$NOW" }) },
        };
        var take = new BsonDocument("$set", new BsonDocument
        {
            { "owner", new BsonDocument("$literal", owner) },
            { "expiresAt", new BsonDocument("$add", new BsonArray { "$$NOW", (long)Lease.TotalMilliseconds }) },
        });
        var update = Builders<BsonDocument>.Update.Pipeline(PipelineDefinition<BsonDocument, BsonDocument>.Create(take));

        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            try
            {
                await context.Locks.UpdateOneAsync(filter, update, new UpdateOptions { IsUpsert = true }, ct);
                return new Held(context, lockId, owner);
            }
            catch (MongoException ex) when (MongoContext.IsDuplicateKey(ex, out _))
            {
                // Held by someone else.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The '{lockId}' lock stayed held for {WaitLimit.TotalSeconds:0} s; try again.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 30)), ct);
        }
    }

    private sealed class Held(MongoContext context, string lockId, string owner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            // Not cancellable: a lease left behind would block every other replica until it expires.
            await context.Locks.DeleteOneAsync(
                new BsonDocument { { "_id", lockId }, { "owner", owner } }, CancellationToken.None);
    }
}
