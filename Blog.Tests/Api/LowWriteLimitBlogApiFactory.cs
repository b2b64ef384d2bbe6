namespace Blog.Tests.Api;

/// <summary>The API with a write limit of <see cref="Limit"/> per user, and a refresh limit of as many per client, per 10 minutes.</summary>
public sealed class LowWriteLimitBlogApiFactory : BlogApiFactory
{
    public const int Limit = 3;

    public LowWriteLimitBlogApiFactory() => WithSettings(
        ("RateLimits:Writes:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("RateLimits:Writes:Window", "00:10:00"),
        ("RateLimits:Refresh:PermitLimit", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("RateLimits:Refresh:Window", "00:10:00"));
}
