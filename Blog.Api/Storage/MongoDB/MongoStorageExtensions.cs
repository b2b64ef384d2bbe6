using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

internal static class MongoStorageExtensions
{
    /// <summary>
    /// The MongoDB stores on the database named by <c>ConnectionStrings:{connectionName}</c> (through
    /// <c>AddMongoDBClient</c>, which also adds the <c>MongoDB.Driver</c> health check and tracing). When the URL names
    /// no database, <c>Blog:Storage:MongoDatabase</c> (default: the connection name) is used.
    /// </summary>
    public static void AddMongoDbStores(this IHostApplicationBuilder builder, string connectionName)
    {
        // The deployments give the user and password as settings of their own (MongoCredentials).
        builder.AddMongoDBClient(connectionName,
            settings => settings.ConnectionString = MongoCredentials.Apply(settings.ConnectionString, builder.Configuration));

        var url = MongoUrl.Create(builder.Configuration.GetConnectionString(connectionName));
        var databaseName = string.IsNullOrEmpty(url.DatabaseName)
            ? builder.Configuration["Blog:Storage:MongoDatabase"] ?? connectionName
            : url.DatabaseName;
        // Servers and database only: the URL's user name and password never reach the log.
        var servers = string.Join(",", url.Servers.Select(s => $"{s.Host}:{s.Port}"));

        var services = builder.Services;
        services.AddSingleton(new StorageInfo(StorageInfo.MongoDb, $"MongoDB database '{databaseName}' on {servers}"));
        services.AddSingleton(sp => new MongoContext(
            sp.GetService<IMongoDatabase>() ?? sp.GetRequiredService<IMongoClient>().GetDatabase(databaseName)));
        services.AddSingleton<MongoAdminFence>();
        services.AddSingleton<IUserStore, MongoUserStore>();
        services.AddSingleton<IPostStore, MongoPostStore>();
        services.AddSingleton<ICommentStore, MongoCommentStore>();
        services.AddSingleton<IRefreshTokenStore, MongoRefreshTokenStore>();
        services.AddSingleton<ISignInAttemptStore, MongoSignInAttemptStore>();
        services.AddSingleton<IStoreInitializer, MongoStoreInitializer>();
    }
}
