using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.AppHost.Hosting.MongoDB;

/// <summary>
/// Healthy when MongoDB answers <c>ping</c> on the database named in the connection string (admin otherwise).
/// The client is built once, from the first connection string seen (the AppHost resolves it once).
/// </summary>
internal sealed class MongoPingHealthCheck(Func<string> connectionString) : IHealthCheck
{
    private static readonly BsonDocument s_ping = new("ping", 1);
    private (IMongoClient Client, string Database)? _client;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var (client, database) = _client ??= Create(connectionString());
            await client.GetDatabase(database).RunCommandAsync<BsonDocument>(s_ping, cancellationToken: cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
        }
    }

    private static (IMongoClient, string) Create(string connectionString)
    {
        var url = MongoUrl.Create(connectionString);
        var settings = MongoClientSettings.FromUrl(url);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(5);
        return (new MongoClient(settings), url.DatabaseName ?? "admin");
    }
}
