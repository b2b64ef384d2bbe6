using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.AppHost.Hosting.MongoDB;

/// <summary>
/// Healthy when MongoDB answers <c>ping</c> on the database named in the connection string (admin otherwise).
/// One instance per resource for the AppHost's lifetime: it builds its client once, from the first connection string
/// it is given (the AppHost resolves it once), and uses it for every run.
/// </summary>
internal sealed class MongoPingHealthCheck(Func<string> connectionString) : IHealthCheck
{
    private static readonly BsonDocument s_ping = new("ping", 1);
    private readonly Lock _gate = new();
    private (IMongoClient Client, string Database)? _client;

    /// <summary>How many clients this check has built (one once it has run; tests read it).</summary>
    internal int ClientsBuilt { get; private set; }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var (client, database) = GetClient();
            await client.GetDatabase(database).RunCommandAsync<BsonDocument>(s_ping, cancellationToken: cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
        }
    }

    private (IMongoClient Client, string Database) GetClient()
    {
        // A lock, not Lazy<T>: a connection string not available yet must be asked for again on the next run.
        lock (_gate)
        {
            if (_client is null)
            {
                var url = MongoUrl.Create(connectionString());
                var settings = MongoClientSettings.FromUrl(url);
                settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
                _client = (new MongoClient(settings), url.DatabaseName ?? "admin");
                ClientsBuilt++;
            }

            return _client.Value;
        }
    }
}
