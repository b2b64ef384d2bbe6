using Blog.Api.Storage.LiteDB;
using Blog.Api.Storage.MongoDB;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Blog.Api.Storage;

internal static class StorageExtensions
{
    /// <summary>The connection name the AppHost gives the MongoDB database.</summary>
    public const string MongoConnectionName = "blogdb";

    /// <summary>
    /// Picks the store at start-up: MongoDB (through <c>AddMongoDBClient("blogdb")</c>) when
    /// <c>ConnectionStrings:blogdb</c> is set, otherwise the embedded LiteDB file at <c>Blog:Storage:EmbeddedPath</c>
    /// (default <c>{ContentRoot}/App_Data/blog.db</c>). Registers the four stores, the initializer (run by a hosted
    /// service before requests are served), the expired-refresh-token sweeper, a <see cref="StorageInfo"/> and the
    /// storage health check (<c>MongoDB.Driver</c> or <c>storage</c>).
    /// </summary>
    internal static void AddBlogStorage(this IHostApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(MongoConnectionName)))
        {
            builder.AddMongoDbStores(MongoConnectionName);
        }
        else
        {
            builder.AddEmbeddedStores();
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<StorageInitializerService>();
        builder.Services.AddHostedService<ExpiredRefreshTokenSweeper>();
        builder.Services.AddExceptionHandler<StoreBusyExceptionHandler>();
    }

    private static void AddEmbeddedStores(this IHostApplicationBuilder builder)
    {
        var path = builder.Configuration["Blog:Storage:EmbeddedPath"];
        path = string.IsNullOrWhiteSpace(path)
            ? Path.Combine(builder.Environment.ContentRootPath, "App_Data", "blog.db")
            : Path.GetFullPath(path, builder.Environment.ContentRootPath);

        var services = builder.Services;
        services.AddSingleton(new StorageInfo(StorageInfo.Embedded, $"LiteDB file {path}"));
        // The file is opened on first use (not here) so that building the host has no side effects.
        services.AddSingleton(_ => new LiteDbContext(path));
        services.AddSingleton<IUserStore, LiteDbUserStore>();
        services.AddSingleton<IPostStore, LiteDbPostStore>();
        services.AddSingleton<ICommentStore, LiteDbCommentStore>();
        services.AddSingleton<IRefreshTokenStore, LiteDbRefreshTokenStore>();
        services.AddSingleton<ISignInAttemptStore, LiteDbSignInAttemptStore>();
        services.AddSingleton<IStoreInitializer, LiteDbStoreInitializer>();
        services.AddHealthChecks().AddCheck<LiteDbHealthCheck>("storage");
    }
}
