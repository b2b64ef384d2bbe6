using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Blog.AppHost.Hosting.MongoDB;
using Blog.Tests.AppHost;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Blog.Tests.Integrations;

/// <summary>
/// The MongoDB hosting stand-in (Blog.AppHost/Hosting/MongoDB, for Aspire.Hosting.MongoDB): its connection-string
/// properties, its public surface, and the ping health check it registers. Nothing is started.
/// </summary>
public sealed class MongoDBHostingTests
{
    [Fact]
    public async Task TheMongoUriPropertyCarriesAuthSourceAndTheDatabaseNameIsUrlEncoded()
    {
        var builder = DistributedApplication.CreateBuilder(["--Parameters:m-password=pw"]);
        var server = builder.AddMongoDB("m");
        var database = server.AddDatabase("db", "my db");

        var serverUri = Assert.Single(((IResourceWithConnectionString)server.Resource).GetConnectionProperties(), p => p.Key == "Uri").Value;
        var databaseUri = Assert.Single(((IResourceWithConnectionString)database.Resource).GetConnectionProperties(), p => p.Key == "Uri").Value;

        Assert.Equal("mongodb://admin:{m-password.value}@{m.bindings.tcp.host}:{m.bindings.tcp.port}/?authSource=admin&authMechanism=SCRAM-SHA-256",
            serverUri.ValueExpression);
        Assert.Equal("mongodb://admin:{m-password.value}@{m.bindings.tcp.host}:{m.bindings.tcp.port}/my%20db?authSource=admin&authMechanism=SCRAM-SHA-256",
            databaseUri.ValueExpression);
        Assert.Equal(databaseUri.ValueExpression, database.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public void TheMongoDBHostingStandInHasOnlyTheOfficialPackagesPublicApi()
    {
        // Aspire.Hosting.MongoDB's public surface (13.6) that this stand-in implements; anything more would break the
        // one-line switch to the official package. The blog's application user is internal (MongoDBApplicationUser).
        var extensions = typeof(MongoDBBuilderExtensions).GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly)
            .Select(m => m.Name).Distinct().Order();
        Assert.Equal(["AddDatabase", "AddMongoDB", "WithDataBindMount", "WithDataVolume", "WithInitFiles"], extensions);

        var publicTypes = typeof(MongoDBBuilderExtensions).Assembly.GetExportedTypes()
            .Where(t => t.Namespace is "Aspire.Hosting" or "Aspire.Hosting.ApplicationModel" && t.Name.Contains("Mongo", StringComparison.Ordinal))
            .Select(t => t.Name).Order();
        Assert.Equal(["MongoDBBuilderExtensions", "MongoDBDatabaseResource", "MongoDBServerResource"], publicTypes);
    }

    [Fact]
    public async Task TheAppHostsMongoPingHealthCheckIsOneInstanceWithOneClient()
    {
        await using var builder = await AppHostArgs.CreateModelBuilderAsync("mongodb", "memory", Path.GetTempPath());
        await using var app = await builder.BuildAsync(Ct);
        var registrations = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        foreach (var name in new[] { "mongo_check", "blogdb_check" })
        {
            var registration = Assert.Single(registrations, r => r.Name == name);
            Assert.Same(registration.Factory(app.Services), registration.Factory(app.Services));
        }

        var check = new MongoPingHealthCheck(() => "mongodb://127.0.0.1:1/blogdb?serverSelectionTimeoutMS=100&connectTimeoutMS=100");
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("m", check, HealthStatus.Unhealthy, null) };
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context, Ct)).Status);
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(context, Ct)).Status);
        Assert.Equal(1, check.ClientsBuilt);
    }
}
