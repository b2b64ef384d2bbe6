// TEMPORARY, storage branch only: stand-ins for code other engineers are writing in parallel (MapPostsApi, the Redis
// output-cache integration), so that Blog.Api compiles and the storage tests run on this branch.
// Drop this file (revert its commit) when merging: the real implementations replace it.
namespace Blog.Api.Posts
{
    internal static class PostsApiBranchStub
    {
        public static WebApplication MapPostsApi(this WebApplication app) => app;
    }
}

namespace Microsoft.Extensions.Hosting
{
    internal static class RedisOutputCacheBranchStub
    {
        public static void AddRedisOutputCache(this IHostApplicationBuilder builder, string connectionName) =>
            throw new NotSupportedException($"Branch stub: no Redis output cache ('{connectionName}') on the storage branch.");
    }
}
