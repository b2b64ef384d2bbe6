using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <remarks>
/// The key is a value in an equality filter on <c>_id</c>, never an operator. The counter is one upsert with
/// <c>$inc</c>: the manual's atomicity rule for single-document writes makes concurrent increments on any replicas each
/// count once, and <c>findOneAndUpdate</c> with <c>returnDocument: after</c> returns the count this increment produced.
/// </remarks>
internal sealed class MongoSignInAttemptStore(MongoContext context) : ISignInAttemptStore
{
    private static readonly FilterDefinitionBuilder<SignInAttempt> Filter = Builders<SignInAttempt>.Filter;

    public async Task<long> IncrementAsync(string key, DateTime expiresAt, CancellationToken ct = default)
    {
        var filter = Filter.Eq(a => a.Id, key);
        // $setOnInsert applies only when the upsert inserts, so the first increment of a window sets its expiry and
        // later ones leave it alone.
        var update = Builders<SignInAttempt>.Update
            .Inc(a => a.Count, 1)
            .SetOnInsert(a => a.ExpiresAt, StoredValues.Time(expiresAt));
        var options = new FindOneAndUpdateOptions<SignInAttempt> { IsUpsert = true, ReturnDocument = ReturnDocument.After };

        try
        {
            return (await context.SignInAttempts.FindOneAndUpdateAsync(filter, update, options, ct).ConfigureAwait(false)).Count;
        }
        catch (MongoException ex) when (MongoContext.IsDuplicateKey(ex, out _))
        {
            // Two first increments raced to insert. The server (4.2+) already retries an upsert whose duplicate key is
            // exactly its equality predicate on _id; older servers report E11000, and the document now exists, so the
            // same call again is a plain update.
            return (await context.SignInAttempts.FindOneAndUpdateAsync(filter, update, options, ct).ConfigureAwait(false)).Count;
        }
    }

    public async Task<long> GetAsync(string key, CancellationToken ct = default) =>
        (await context.SignInAttempts.Find(Filter.Eq(a => a.Id, key)).FirstOrDefaultAsync(ct).ConfigureAwait(false))?.Count ?? 0;

    public async Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default)
    {
        var result = await context.SignInAttempts.DeleteManyAsync(Filter.Lte(a => a.ExpiresAt, StoredValues.Time(now)), ct).ConfigureAwait(false);
        return result.DeletedCount;
    }
}
