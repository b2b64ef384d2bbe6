namespace Blog.Tests.Api;

/// <summary>The API with a write limit of <see cref="Limit"/> per user, and a refresh limit of as many per client, per 10 minutes.</summary>
public sealed class LowWriteLimitBlogApiFactory : BlogApiFactory
{
    public const int Limit = 3;

    public LowWriteLimitBlogApiFactory() => WithRateLimit("Writes", Limit, TimeSpan.FromMinutes(10))
        .WithRateLimit("Refresh", Limit, TimeSpan.FromMinutes(10));
}
