using Blog.AppHost.Hosting.MongoDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Blog.AppHost.Infrastructure;

/// <summary>The wiring of the blog's backing services, kept out of AppHost.cs so that it reads like the model it builds.</summary>
internal static class BlogAppHostExtensions
{
    public const string DatabaseResourceName = "blogdb";
    public const string CacheResourceName = "cache";
    public const string EmbeddedDataDirectoryKey = "Blog:EmbeddedDataDirectory";

    /// <summary>The API's MongoDB user in the MongoDB container: <c>readWrite</c> on the blog database only.</summary>
    public const string MongoApplicationUserName = "blog";

    /// <summary>
    /// The MongoDB database resource, or null for the embedded store. The container gets an application user whose
    /// password is the generated secret parameter <c>mongo-app-password</c>; root stays in the container.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString>? AddBlogDatabase(this IDistributedApplicationBuilder builder, DatabaseKind kind)
    {
        switch (kind)
        {
            case DatabaseKind.MongoDBContainer:
                var password = builder.AddParameter("mongo-app-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
                    .WithDescription("Password of the API's MongoDB user (readWrite on blogdb only); set again at every start of mongo");
                return builder.AddMongoDB("mongo").WithDataVolume().AddDatabase(DatabaseResourceName)
                    .WithApplicationUser(MongoApplicationUserName, password)
                    .AsConnectionString();
            case DatabaseKind.MongoDBConnectionString:
                return builder.AddConnectionString(DatabaseResourceName);
            default:
                return null;
        }
    }

    /// <summary>The Redis resource, or null for the in-memory cache.</summary>
    public static BlogCache? AddBlogCache(this IDistributedApplicationBuilder builder, CacheKind kind) => kind switch
    {
        CacheKind.RedisContainer => builder.AddRedisWithAppUsers(),
        CacheKind.RedisConnectionString => new BlogCache(builder.AddConnectionString(CacheResourceName), Container: null, Users: new Dictionary<string, RedisAppUser>()),
        _ => null,
    };

    /// <summary>
    /// The Redis container with one ACL user per app (<see cref="RedisAclExtensions"/>): <c>api</c> may use only
    /// <c>blog-api:*</c> (Blog.Api's OutputCacheExtensions.RedisKeyPrefix), <c>web</c> only <c>blog-web:*</c>
    /// (Blog.Web's WebServiceExtensions.RedisKeyPrefix), each with its own generated password.
    /// </summary>
    private static BlogCache AddRedisWithAppUsers(this IDistributedApplicationBuilder builder)
    {
        RedisAppUser[] users = [AppUser(builder, "api"), AppUser(builder, "web")];
        var redis = builder.AddRedis(CacheResourceName).WithDataVolume().WithAppUsers(users);
        return new BlogCache(redis.AsConnectionString(), redis, users.ToDictionary(u => u.Name));
    }

    private static RedisAppUser AppUser(IDistributedApplicationBuilder builder, string app) => new(
        app,
        builder.AddParameter($"{CacheResourceName}-{app}-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true),
        $"blog-{app}:");

    /// <summary>
    /// The cache for one app, and wait for it: with the Redis container, a connection string for the app's own ACL user
    /// (never the container's password); with an external connection string, that string.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBlogCache(this IResourceBuilder<ProjectResource> project, BlogCache? cache)
    {
        if (cache is null)
        {
            return project;
        }

        if (cache.Container is { } redis)
        {
            var user = cache.Users.GetValueOrDefault(project.Resource.Name)
                ?? throw new InvalidOperationException($"'{project.Resource.Name}' has no Redis user; add one in AddRedisWithAppUsers.");
            return project.WithEnvironment($"ConnectionStrings__{CacheResourceName}", redis.ConnectionStringFor(user)).WaitFor(redis);
        }

        return project.WithReference(cache.Resource).WaitFor(cache.Resource);
    }

    /// <summary>
    /// Where the API's image keeps the embedded store when deployed: <c>/app/data</c>, a directory the image's user owns
    /// (Directory.Build.targets, BlogContainerDataDirectory), so a new volume mounted there is writable by it.
    /// </summary>
    public const string ContainerDataDirectory = "/app/data";

    /// <summary>
    /// MongoDB by reference (and wait for it), or the embedded store's file path. Publishing puts the file on a named
    /// volume (<c>{api}-data</c> at <see cref="ContainerDataDirectory"/>), so it survives container restarts and upgrades.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBlogDatabase(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<IResourceWithConnectionString>? database, string embeddedPath)
    {
        if (database is IResourceBuilder<MongoDBDatabaseResource> container)
        {
            // As the application user, never root (the official WithReference would hand over the root password).
            return api.WithApplicationUserReference(container, DatabaseResourceName);
        }

        if (database is not null)
        {
            return api.WithReference(database).WaitFor(database);
        }

        if (!api.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return api.WithEnvironment("Blog__Storage__EmbeddedPath", embeddedPath);
        }

        return api
            .WithEnvironment("Blog__Storage__EmbeddedPath", $"{ContainerDataDirectory}/blog.db")
            .WithAnnotation(new ContainerMountAnnotation($"{api.Resource.Name}-data", ContainerDataDirectory, ContainerMountType.Volume, isReadOnly: false));
    }

    /// <summary>
    /// Deployments only: the address ranges of the TLS-terminating proxy in front of the web (the Kubernetes ingress
    /// controller's pods), whose <c>X-Forwarded-Proto</c>/<c>For</c> the web believes. A deploy-time setting, empty by
    /// default: nothing is trusted (compose publishes the web directly; under the AppHost nothing is in front of it).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTrustedIngress(this IResourceBuilder<ProjectResource> web)
    {
        if (!web.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return web;
        }

        var networks = web.ApplicationBuilder.AddParameter($"{web.Resource.Name}-trusted-proxies", "", publishValueAsDefault: true)
            .WithDescription($"CIDR ranges (comma-separated) of the TLS-terminating proxy in front of {web.Resource.Name}, e.g. the ingress controller's pod range 10.244.0.0/16; its X-Forwarded-Proto/For are believed (HSTS, https redirects, the reader's address). Empty = none (the web is reached directly, as in compose).");
        return web.WithEnvironment("ForwardedHeaders__KnownNetworks__0", networks);
    }

    /// <summary>Where the API keeps the embedded LiteDB file: <c>Blog:EmbeddedDataDirectory</c>, default <c>.data</c> beside the AppHost.</summary>
    public static string EmbeddedDatabasePath(this IDistributedApplicationBuilder builder)
    {
        var directory = builder.Configuration[EmbeddedDataDirectoryKey] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.AppHostDirectory)
            : Path.Combine(builder.AppHostDirectory, ".data");
        return Path.Combine(directory, "blog.db");
    }

    public static void LogAtStart(this IDistributedApplicationBuilder builder, InfrastructureChoice choice) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Blog.AppHost");
            logger.LogInformation("Database -> {Reason}", choice.DatabaseReason);
            logger.LogInformation("Cache -> {Reason}", choice.CacheReason);
            return Task.CompletedTask;
        });

    /// <summary>
    /// A plain (not secret) parameter whose value is <c>Parameters:{name}</c> from configuration (command line, user
    /// secrets, environment) and <paramref name="defaultValue"/> otherwise. Aspire keeps a parameter added with a constant
    /// value whatever configuration says, so the value is read here; publishing writes the default into the env files.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddParameterWithDefault(
        this IDistributedApplicationBuilder builder, string name, string defaultValue) =>
        builder.AddParameter(
            name,
            () => builder.Configuration[$"Parameters:{name}"] is { Length: > 0 } configured ? configured : defaultValue,
            publishValueAsDefault: true);

    public static void TellWhereTheAdminPasswordIs(this IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> adminUsername)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return;
        }

        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            var logger = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Blog.AppHost");
            var username = await adminUsername.Resource.GetValueAsync(ct).ConfigureAwait(false);
            logger.LogInformation(
                "Admin account '{Username}': its password is the 'admin-password' parameter (dashboard: Parameters; or `dotnet user-secrets list --project Blog.AppHost`). Set Parameters:admin-password to choose it.",
                username);
        });
    }

    internal sealed record BlogCache(
        IResourceBuilder<IResourceWithConnectionString> Resource, IResourceBuilder<RedisResource>? Container, IReadOnlyDictionary<string, RedisAppUser> Users);

    private static IResourceBuilder<IResourceWithConnectionString> AsConnectionString<T>(this IResourceBuilder<T> builder)
        where T : IResourceWithConnectionString => (IResourceBuilder<IResourceWithConnectionString>)builder;
}
