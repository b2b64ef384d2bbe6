using System.Globalization;
using System.Threading.RateLimiting;
using Blog.Api.Caching;
using Blog.Api.Http;
using Microsoft.Extensions.Options;

namespace Blog.Api.Security;

/// <summary>Rate limiting policy names, for <c>RequireRateLimiting(...)</c> on endpoints or groups.</summary>
public static class RateLimitPolicies
{
    /// <summary>Sign-in and registration: per client IP (see forwarded headers for how the IP is known behind a proxy).</summary>
    public const string Auth = "auth";

    /// <summary>Every write (posts, comments, moderation, profile, admin): per user id, per client IP for anonymous callers.</summary>
    public const string Writes = "writes";

    /// <summary>
    /// <c>POST /api/auth/refresh</c> and <c>/logout</c>: anonymous (the refresh token is opaque, its family known only
    /// after a store read), so per client IP.
    /// </summary>
    public const string Refresh = "refresh";
}

/// <summary>
/// Bound from <c>RateLimits</c>: <c>RateLimits:Auth:PermitLimit</c>, <c>RateLimits:Auth:Window</c> (a TimeSpan), same for
/// <c>Writes</c>, <c>Refresh</c> and <c>Reads</c>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    public WindowLimit Auth { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    public WindowLimit Writes { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Token refreshes and sign-outs per client IP.</summary>
    public WindowLimit Refresh { get; set; } = new() { PermitLimit = 60, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Public reads that miss the output cache, per user (per client IP for anonymous callers); hits are never counted.</summary>
    public WindowLimit Reads { get; set; } = new() { PermitLimit = 120, Window = TimeSpan.FromMinutes(1) };

    internal IEnumerable<WindowLimit> All => [Auth, Writes, Refresh, Reads];

    public sealed class WindowLimit
    {
        public int PermitLimit { get; set; }

        public TimeSpan Window { get; set; }
    }
}

internal static class RateLimitingExtensions
{
    /// <summary>
    /// Fixed windows, no queueing: a request over the limit gets 429 at once with <c>Retry-After</c> (seconds until the
    /// window resets) and a ProblemDetails body. Counters live in this replica's memory, so with N replicas the
    /// effective limit is up to N times the configured one; the account lockout (in the store) is what is shared.
    /// </summary>
    public static void AddBlogRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .Bind(builder.Configuration.GetSection(RateLimitOptions.SectionName))
            .Validate(o => o.All.All(l => l.PermitLimit > 0 && l.Window > TimeSpan.Zero),
                "RateLimits: every PermitLimit and Window must be positive.")
            .ValidateOnStart();

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => new ValueTask(RejectAsync(context.HttpContext, context.Lease));

            options.AddPolicy(RateLimitPolicies.Auth, context =>
            {
                var limit = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Auth;
                return RateLimitPartition.GetFixedWindowLimiter($"ip:{ClientIp(context)}", _ => Window(limit));
            });

            options.AddPolicy(RateLimitPolicies.Writes, context =>
            {
                var limit = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Writes;
                return RateLimitPartition.GetFixedWindowLimiter(CallerPartition(context), _ => Window(limit));
            });

            options.AddPolicy(RateLimitPolicies.Refresh, context =>
            {
                var limit = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Refresh;
                return RateLimitPartition.GetFixedWindowLimiter($"ip:{ClientIp(context)}", _ => Window(limit));
            });
        });
        builder.Services.AddSingleton<ReadMissLimiter>();
    }

    /// <summary>429 with <c>Retry-After</c> (seconds until the window resets) and a ProblemDetails body.</summary>
    public static async Task RejectAsync(HttpContext context, RateLimitLease lease)
    {
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await ProblemResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests. Try again later.");
    }

    /// <summary>The signed-in user's id, or the client IP for anonymous callers.</summary>
    public static string CallerPartition(HttpContext context)
    {
        var userId = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(TokenService.SubjectClaim)?.Value : null;
        return userId is null ? $"ip:{ClientIp(context)}" : $"user:{userId}";
    }

    // After UseBlogForwardedHeaders this is the reader's address when the request came through the proven web.
    private static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public static FixedWindowRateLimiterOptions Window(RateLimitOptions.WindowLimit limit) => new()
    {
        PermitLimit = limit.PermitLimit,
        Window = limit.Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
