extern alias BlogWeb;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Blog.Tests.Web;

/// <summary>
/// The web in a TestServer in Production, as behind a TLS-terminating ingress: requests arrive over plain http from the
/// peer given in <see cref="PeerHeader"/>. <see cref="TrustedNetwork"/> is the ingress range, unless built with none
/// (Docker Compose: the web is published directly).
/// </summary>
public class IngressWebFactory : WebApplicationFactory<BlogWeb::Program>
{
    public const string PeerHeader = PeerFromHeader.Header;
    public const string TrustedNetwork = "10.42.0.0/16";

    private readonly string _keys = Directory.CreateTempSubdirectory("blog-web-keys-").FullName;

    /// <summary>The folder the web keeps its Data Protection keys in.</summary>
    public string KeysPath => _keys;

    protected virtual string? TrustedNetworks => TrustedNetwork;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("Blog:Api:BaseAddress", "http://127.0.0.1:9");
        builder.UseSetting("Blog:DataProtection:KeysPath", _keys);
        if (TrustedNetworks is not null)
        {
            builder.UseSetting("ForwardedHeaders:KnownNetworks:0", TrustedNetworks);
        }

        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, PeerFromHeader>());
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>More configuration, applied last.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }
    }

    public async Task<HttpResponseMessage> GetAsync(string path, string peer, string? forwardedProto = "https", string? forwardedFor = null)
    {
        using var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://blog.example") });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(PeerHeader, peer);
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

/// <summary>The compose case: no proxy is trusted.</summary>
public sealed class DirectlyPublishedWebFactory : IngressWebFactory
{
    protected override string? TrustedNetworks => null;
}
