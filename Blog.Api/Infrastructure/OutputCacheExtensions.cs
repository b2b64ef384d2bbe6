namespace Blog.Api;

internal static class OutputCacheExtensions
{
    public const string CacheConnectionName = "cache";

    /// <summary>
    /// Redis output cache when the AppHost gave a <c>cache</c> connection (shared by every replica), in-memory otherwise.
    /// </summary>
    public static void AddBlogOutputCache(this IHostApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(CacheConnectionName)))
        {
            builder.AddRedisOutputCache(CacheConnectionName);
        }
        else
        {
            builder.Services.AddOutputCache();
        }
    }
}
