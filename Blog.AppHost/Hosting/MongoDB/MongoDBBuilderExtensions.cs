// Stand-in for the official Aspire.Hosting.MongoDB package (see MongoDBServerResource.cs).

using Aspire.Hosting.ApplicationModel;
using Blog.AppHost.Hosting.MongoDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting;

/// <summary>Adds MongoDB containers and databases to the application model, as Aspire.Hosting.MongoDB does.</summary>
public static class MongoDBBuilderExtensions
{
    internal const string Image = "library/mongo";
    internal const string Tag = "8.3";
    internal const string Registry = "docker.io";
    internal const int DefaultContainerPort = 27017;
    internal const string DataPath = "/data/db";

    /// <summary>Image reference as a container runtime names it (internal: the official package has no such member).</summary>
    internal const string ImageReference = $"{Registry}/{Image}:{Tag}";

    /// <summary>
    /// Adds a MongoDB container (<c>docker.io/library/mongo:8.3</c>, endpoint <c>tcp</c> on 27017). Without a password a
    /// secret parameter <c>{name}-password</c> is generated (and kept in the AppHost's user secrets in run mode).
    /// A health check pings the server, so <c>WaitFor</c> waits for a MongoDB that answers.
    /// </summary>
    public static IResourceBuilder<MongoDBServerResource> AddMongoDB(
        this IDistributedApplicationBuilder builder,
        [ResourceName] string name,
        int? port = null,
        IResourceBuilder<ParameterResource>? userName = null,
        IResourceBuilder<ParameterResource>? password = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var passwordParameter = password?.Resource
            ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);

        var resource = new MongoDBServerResource(name, userName?.Resource, passwordParameter);

        var healthCheckKey = $"{name}_check";
        builder.AddMongoPingHealthCheck(resource, resource.ConnectionStringExpression, healthCheckKey);

        return builder.AddResource(resource)
            .WithEndpoint(port: port, targetPort: DefaultContainerPort, name: MongoDBServerResource.PrimaryEndpointName)
            .WithImage(Image, Tag)
            .WithImageRegistry(Registry)
            .WithEnvironment(context =>
            {
                context.EnvironmentVariables["MONGO_INITDB_ROOT_USERNAME"] = resource.UserNameReference;
                context.EnvironmentVariables["MONGO_INITDB_ROOT_PASSWORD"] = resource.PasswordParameter;
            })
            .WithHealthCheck(healthCheckKey);
    }

    /// <summary>Adds a database; its connection string names it (MongoDB creates it lazily on first write).</summary>
    public static IResourceBuilder<MongoDBDatabaseResource> AddDatabase(
        this IResourceBuilder<MongoDBServerResource> builder,
        [ResourceName] string name,
        string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        databaseName ??= name;
        builder.Resource.AddDatabase(name, databaseName);
        var database = new MongoDBDatabaseResource(name, databaseName, builder.Resource);

        var healthCheckKey = $"{name}_check";
        builder.ApplicationBuilder.AddMongoPingHealthCheck(database, database.ConnectionStringExpression, healthCheckKey);

        return builder.ApplicationBuilder.AddResource(database).WithHealthCheck(healthCheckKey);
    }

    /// <summary>Mounts a named volume at <c>/data/db</c> so data survives container restarts.</summary>
    public static IResourceBuilder<MongoDBServerResource> WithDataVolume(
        this IResourceBuilder<MongoDBServerResource> builder, string? name = null, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithVolume(name ?? VolumeNameGenerator.Generate(builder, "data"), DataPath, isReadOnly);
    }

    /// <summary>Bind-mounts a host directory at <c>/data/db</c>.</summary>
    public static IResourceBuilder<MongoDBServerResource> WithDataBindMount(
        this IResourceBuilder<MongoDBServerResource> builder, string source, bool isReadOnly = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(source);
        return builder.WithBindMount(source, DataPath, isReadOnly);
    }

    /// <summary>Copies the scripts in <paramref name="source"/> to <c>/docker-entrypoint-initdb.d</c>, run on first start.</summary>
    public static IResourceBuilder<MongoDBServerResource> WithInitFiles(
        this IResourceBuilder<MongoDBServerResource> builder, string source)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(source);
        return builder.WithBindMount(source, "/docker-entrypoint-initdb.d", isReadOnly: true);
    }

    /// <summary>A health check <paramref name="key"/> that pings with <paramref name="expression"/> once <paramref name="resource"/>'s connection string is known.</summary>
    internal static void AddMongoPingHealthCheck(
        this IDistributedApplicationBuilder builder, IResourceWithConnectionString resource, ReferenceExpression expression, string key)
    {
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
        {
            connectionString = await expression.GetValueAsync(ct).ConfigureAwait(false)
                ?? throw new DistributedApplicationException($"ConnectionStringAvailableEvent was published for '{resource.Name}', but its connection string was null.");
        });

        // One check instance for the AppHost's lifetime: the health check service calls the factory on every run,
        // and the check holds the one client it builds from the connection string.
        var check = new MongoPingHealthCheck(() => connectionString ?? throw new InvalidOperationException($"The connection string of '{resource.Name}' is not available yet."));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, _ => check, failureStatus: null, tags: null));
    }
}
