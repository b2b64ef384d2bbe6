namespace Blog.Tests.Api;

/// <summary>The API with a limit of <see cref="Limit"/> cache misses per client per 10 minutes.</summary>
public sealed class LowReadLimitBlogApiFactory : BlogApiFactory
{
    public const int Limit = 3;

    public LowReadLimitBlogApiFactory() => WithRateLimit("Reads", Limit, TimeSpan.FromMinutes(10));
}
