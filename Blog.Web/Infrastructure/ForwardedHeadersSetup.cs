using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Blog.Web.Infrastructure;

/// <summary>
/// Behind a TLS-terminating ingress or load balancer the web sees plain http from the proxy's address. It believes
/// <c>X-Forwarded-Proto</c>/<c>X-Forwarded-For</c> only from the proxies it is told about, set at deploy time:
/// <code>
/// ForwardedHeaders__KnownNetworks__0=10.0.0.0/8            (the ingress controller's pod range; comma-separated list allowed)
/// ForwardedHeaders__KnownProxies__0=10.1.2.3
/// </code>
/// With none (Docker Compose, where the web is published directly; the AppHost), forwarded headers are not read at all:
/// not even from loopback, since an empty list would mean "trust everyone" to ASP.NET's middleware. From a trusted
/// proxy the request becomes https (so HSTS is sent and redirects and links are https) and the reader's address is
/// the one the API's per-client limits count.
/// </summary>
internal static class ForwardedHeadersSetup
{
    public const string SectionName = "ForwardedHeaders";

    public static IHostApplicationBuilder AddBlogForwardedHeaders(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SectionName);
        var proxies = Entries(section.GetSection("KnownProxies")).Select(IPAddress.Parse).ToList();
        var networks = Entries(section.GetSection("KnownNetworks")).Select(System.Net.IPNetwork.Parse).ToList();

        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // One hop: the address and scheme the ingress saw; anything the client put in front of it is not believed.
            options.ForwardLimit = 1;
            options.KnownProxies.Clear(); // the default trusts loopback
            options.KnownIPNetworks.Clear();
            proxies.ForEach(options.KnownProxies.Add);
            networks.ForEach(options.KnownIPNetworks.Add);
        });
        builder.Services.AddSingleton(new TrustedProxies(proxies.Count + networks.Count > 0));
        return builder;
    }

    /// <summary>First in the pipeline, and only when some proxy is trusted (with no entries the middleware would trust any caller).</summary>
    public static void UseBlogForwardedHeaders(this WebApplication app)
    {
        if (app.Services.GetRequiredService<TrustedProxies>().Any)
        {
            app.UseForwardedHeaders();
        }
    }

    // Each entry may itself be a comma-separated list, so one deploy-time variable can hold several ranges; empty entries
    // (an unset variable) are skipped.
    private static IEnumerable<string> Entries(IConfigurationSection section) =>
        section.GetChildren().Select(c => c.Value).Append(section.Value)
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private sealed record TrustedProxies(bool Any);
}
