namespace Blog.Api.Storage.MongoDB;

internal static class MongoStorageExtensions
{
    public static void AddMongoDbStores(this IHostApplicationBuilder builder, string connectionName) =>
        throw new NotSupportedException($"MongoDB storage ('{connectionName}') is not implemented yet on this branch.");
}
