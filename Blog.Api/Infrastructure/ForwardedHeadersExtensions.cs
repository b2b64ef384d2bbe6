using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Blog.Api;

internal static class ForwardedHeadersExtensions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>
    /// Takes the client IP (and scheme) from <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> only when the request comes
    /// from a trusted proxy; from anyone else the headers are ignored, so a client cannot pick its own rate-limit
    /// partition. Loopback is trusted (ASP.NET's default): Blog.Web on the same machine, as under the AppHost.
    /// Add proxies as IPs and CIDR networks:
    /// <code>
    /// ForwardedHeaders__KnownProxies__0=10.0.0.12
    /// ForwardedHeaders__KnownNetworks__0=10.244.0.0/16
    /// </code>
    /// In Kubernetes, Blog.Web (and the ingress controller, if it routes to the API) reach the API from pod IPs that
    /// change with every rollout: trust the cluster's pod CIDR (e.g. <c>10.244.0.0/16</c>, see the cluster's
    /// <c>--cluster-cidr</c>) via <c>KnownNetworks</c>, and keep the API a ClusterIP Service that only those pods
    /// reach; a trusted range is only as safe as the set of clients inside it, since each of them could claim any IP.
    /// Only one hop is processed (<c>ForwardLimit</c> 1): the address the last trusted proxy saw.
    /// </summary>
    public static void AddBlogForwardedHeaders(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            var section = configuration.GetSection(SectionName);
            var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
            var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];

            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
}
