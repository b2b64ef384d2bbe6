using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Blog.Api;

/// <summary>Rate limiting policy names, for <c>RequireRateLimiting(...)</c> on endpoints or groups.</summary>
public static class RateLimitPolicies
{
    /// <summary>Sign-in and registration: per client IP (see forwarded headers for how the IP is known behind a proxy).</summary>
    public const string Auth = "auth";

    /// <summary>Creating posts and comments: per user id, per client IP for anonymous callers.</summary>
    public const string Writes = "writes";
}

/// <summary>Bound from <c>RateLimits</c>: <c>RateLimits:Auth:PermitLimit</c>, <c>RateLimits:Auth:Window</c> (a TimeSpan), same for <c>Writes</c>.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    public WindowLimit Auth { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    public WindowLimit Writes { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

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
            .Validate(o => o.Auth.PermitLimit > 0 && o.Auth.Window > TimeSpan.Zero && o.Writes.PermitLimit > 0 && o.Writes.Window > TimeSpan.Zero,
                "RateLimits: every PermitLimit and Window must be positive.")
            .ValidateOnStart();

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, _) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter =
                        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests. Try again later.");
            };

            options.AddPolicy(RateLimitPolicies.Auth, context =>
            {
                var limit = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Auth;
                return RateLimitPartition.GetFixedWindowLimiter($"ip:{ClientIp(context)}", _ => Window(limit));
            });

            options.AddPolicy(RateLimitPolicies.Writes, context =>
            {
                var limit = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Writes;
                var userId = context.User.Identity?.IsAuthenticated == true ? context.User.FindFirst(TokenService.SubjectClaim)?.Value : null;
                return RateLimitPartition.GetFixedWindowLimiter(userId is null ? $"ip:{ClientIp(context)}" : $"user:{userId}", _ => Window(limit));
            });
        });
    }

    // After UseForwardedHeaders this is the reader's address when the request came through a trusted proxy.
    private static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static FixedWindowRateLimiterOptions Window(RateLimitOptions.WindowLimit limit) => new()
    {
        PermitLimit = limit.PermitLimit,
        Window = limit.Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
