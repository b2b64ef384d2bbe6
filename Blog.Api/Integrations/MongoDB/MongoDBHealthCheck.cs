using Microsoft.Extensions.Diagnostics.HealthChecks;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Aspire.MongoDB.Driver;

/// <summary>Pings the database named by the connection string (<c>admin</c> when it names none) with the app's one client.</summary>
internal sealed class MongoDBHealthCheck(IMongoClient client, string databaseName) : IHealthCheck
{
    private static readonly BsonDocument Ping = new("ping", 1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await client.GetDatabase(databaseName)
                .RunCommandAsync<BsonDocument>(Ping, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
#pragma warning disable CA1031 // Any failure to answer the ping is what this check reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "MongoDB did not answer a ping.", ex);
        }
    }
}
