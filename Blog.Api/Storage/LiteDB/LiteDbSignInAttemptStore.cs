namespace Blog.Api.Storage.LiteDB;

internal sealed class LiteDbSignInAttemptStore(LiteDbContext context) : ISignInAttemptStore
{
    private const string Collection = LiteDbContext.SignInAttemptsCollection;

    public Task<long> IncrementAsync(string key, DateTime expiresAt, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        // Read and write under the store's write lock, in one transaction: one step for every caller of this process,
        // the only one that opens the file.
        return Task.FromResult(context.Write("update", Collection, () =>
        {
            var attempt = context.SignInAttempts.FindById(key);
            if (attempt is null)
            {
                attempt = new SignInAttempt { Id = key, Count = 1, ExpiresAt = StoredValues.Time(expiresAt) };
                context.SignInAttempts.Insert(attempt);
            }
            else
            {
                attempt.Count++;
                context.SignInAttempts.Update(attempt);
            }

            return attempt.Count;
        }));
    }

    public Task<long> GetAsync(string key, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(context.Read("find", Collection, () => context.SignInAttempts.FindById(key)?.Count ?? 0));
    }

    public Task<long> DeleteExpiredAsync(DateTime now, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        var cutoff = StoredValues.Time(now);
        return Task.FromResult<long>(context.Write("delete", Collection, () => context.SignInAttempts.DeleteMany("$.ExpiresAt <= @0", cutoff)));
    }
}
