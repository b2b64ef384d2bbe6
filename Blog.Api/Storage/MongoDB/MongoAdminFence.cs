using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <summary>
/// Fencing tokens for account changes: a counter in the <c>locks</c> collection, <c>{ _id: "adminFence", value }</c>,
/// that only ever grows. Each attempt of <see cref="MongoUserStore.ChangeAccountAsync"/> takes the next value and stamps
/// every user document it relies on with it (see there). Nothing is held between calls, so a replica that crashes or
/// stalls blocks nobody: its later writes simply lose to any newer token.
/// </summary>
/// <remarks>
/// One findAndModify with <c>upsert: true</c>, a filter on <c>_id</c> only (no <c>$expr</c>: the server refuses it in an
/// upsert's filter, code 224) and an update pipeline (allowed in findAndModify, upserts included, since MongoDB 4.2):
/// <c>value = max(value ?? 0, atLeast) + 1</c>. One document's update is atomic, so no two callers ever get the same
/// value, and the value is always above <c>atLeast</c>: a caller that saw a user stamped with a larger token (the counter
/// document was deleted, or a database restored) passes it and gets past it. Two first-ever upserts can race to insert;
/// the server retries such an upsert itself when the filter is an equality on a unique index (_id), and we retry once
/// more on E11000 in case a server does not.
/// </remarks>
internal sealed class MongoAdminFence(MongoContext context)
{
    public const string FenceId = "adminFence";

    public async Task<long> NextAsync(long atLeast, CancellationToken ct)
    {
        var filter = new BsonDocument("_id", FenceId);
        var next = new BsonDocument("$set", new BsonDocument("value", new BsonDocument("$add", new BsonArray
        {
            new BsonDocument("$max", new BsonArray { new BsonDocument("$ifNull", new BsonArray { "$value", 0L }), atLeast }),
            1L,
        })));
        var update = Builders<BsonDocument>.Update.Pipeline(PipelineDefinition<BsonDocument, BsonDocument>.Create(next));
        var options = new FindOneAndUpdateOptions<BsonDocument> { IsUpsert = true, ReturnDocument = ReturnDocument.After };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var counter = await context.Locks.FindOneAndUpdateAsync<BsonDocument>(filter, update, options, ct).ConfigureAwait(false);
                return counter["value"].ToInt64();
            }
            catch (MongoException ex) when (attempt == 0 && MongoContext.IsDuplicateKey(ex, out _))
            {
                // The other first upsert inserted it; now it exists and the update applies to it.
            }
        }
    }
}
