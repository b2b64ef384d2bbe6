using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Blog.Api.Http;

/// <summary>Bound from <c>ForwardedHeaders</c>: <c>ForwardedHeaders__ProxySecret</c> (the AppHost's <c>proxy-secret</c> parameter).</summary>
public sealed class ProxyTrustOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>
    /// The secret a proxy (Blog.Web) sends in <see cref="ProxyProof.HeaderName"/> to have its <c>X-Forwarded-For</c>
    /// believed. Empty: no caller is trusted and every request is counted by the address that connected.
    /// </summary>
    public string? ProxySecret { get; set; }
}

internal static class ForwardedHeadersExtensions
{
    /// <summary>
    /// The client IP (and scheme) come from <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> only when the request
    /// proves it was sent by Blog.Web: it carries the shared secret (<see cref="ProxyTrustOptions.ProxySecret"/>) in
    /// <see cref="ProxyProof.HeaderName"/>. From anyone else (loopback included) the headers are ignored, so a client
    /// cannot pick its own rate-limit partition. No address range is trusted: in compose the subnet is chosen at
    /// <c>up</c> time, pod networks differ per cluster, and any other client inside a trusted range could claim any IP.
    /// Only one hop is processed (<c>ForwardLimit</c> 1): the address Blog.Web saw.
    /// </summary>
    public static void AddBlogForwardedHeaders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyTrustOptions>()
            .BindConfiguration(ProxyTrustOptions.SectionName)
            .Validate(o => string.IsNullOrEmpty(o.ProxySecret) || o.ProxySecret.Length >= ProxyProof.MinimumLength,
                $"ForwardedHeaders:ProxySecret must have at least {ProxyProof.MinimumLength} characters.")
            .ValidateOnStart();

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
            // Only ever applied to callers that proved who they are (UseBlogForwardedHeaders): their address is irrelevant.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
        });
    }

    /// <summary>Applies the forwarded headers of proven callers only; strips the proof so that nothing later sees or logs it.</summary>
    public static void UseBlogForwardedHeaders(this WebApplication app)
    {
        var secret = app.Services.GetRequiredService<IOptions<ProxyTrustOptions>>().Value.ProxySecret;
        app.UseWhen(context => IsProvenProxy(context, secret), proven => proven.UseForwardedHeaders());
    }

    private static bool IsProvenProxy(HttpContext context, string? secret)
    {
        if (!context.Request.Headers.Remove(ProxyProof.HeaderName, out var presented))
        {
            return false;
        }

        return !string.IsNullOrEmpty(secret) && presented.Count == 1 && ProxyProof.Matches(secret, presented[0]);
    }
}
