namespace Blog.Api.Storage;

public static class TimeProviderExtensions
{
    /// <summary>Now in UTC, truncated to milliseconds: what both stores keep (BSON precision), so a read gives back what was written.</summary>
    public static DateTime GetUtcNowForStorage(this TimeProvider time) => time.GetUtcNow().UtcDateTime.ToStoredPrecision();
}
