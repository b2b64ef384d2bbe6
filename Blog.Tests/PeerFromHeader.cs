using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Blog.Tests;

/// <summary>
/// A test server's requests have no peer address; this startup filter gives each request the one named in its
/// <see cref="Header"/>. It runs before the app's own pipeline, so the app's forwarded-headers step sees that peer as the
/// connection's address, as it would a proxy or a reader on another host.
/// </summary>
public sealed class PeerFromHeader : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var peer))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
