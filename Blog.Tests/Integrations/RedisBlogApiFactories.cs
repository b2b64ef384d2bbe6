using System.Net.Sockets;
using StackExchange.Redis;
using Blog.Tests.Api;

namespace Blog.Tests.Integrations;

/// <summary>The API with its output cache in the Redis named by <c>BLOG_TEST_REDIS</c> (a StackExchange.Redis connection string).</summary>
public sealed class RealRedisBlogApiFactory : BlogApiFactory
{
    public const string EnvironmentVariable = "BLOG_TEST_REDIS";

    public static string? ConnectionString => TestEnvironment.Value(EnvironmentVariable);

    /// <summary>The Redis connection string; without one the running test is skipped, saying what to set.</summary>
    public static string SkipUnlessConfigured() => TestEnvironment.SkipUnlessConfigured(
        EnvironmentVariable, $"{EnvironmentVariable} is not set: no Redis to test against (.ci/run starts one and sets it).");

    public RealRedisBlogApiFactory() => WithSettings(("ConnectionStrings:cache", ConnectionString));
}

/// <summary>The API configured for a Redis that is not there: a port on this machine where nothing listens.</summary>
public sealed class RedisDownBlogApiFactory : BlogApiFactory
{
    public RedisDownBlogApiFactory() => WithSettings(("ConnectionStrings:cache", $"127.0.0.1:{UnusedPort()}"));

    private static int UnusedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// The API whose Redis (<c>BLOG_TEST_REDIS</c>) is reached through a proxy the test can cut and restore: an outage
/// as the API sees it, while the entries stay in Redis (a partition, or a Redis restarted with its data).
/// </summary>
public sealed class RedisBehindProxyBlogApiFactory : BlogApiFactory
{
    public RedisBehindProxyBlogApiFactory()
    {
        if (RealRedisBlogApiFactory.ConnectionString is { } connectionString)
        {
            var options = ConfigurationOptions.Parse(connectionString);
            Proxy = new CuttableTcpProxy(options.EndPoints[0]);
            options.EndPoints.Clear();
            options.EndPoints.Add(Proxy.EndPoint);
            WithSettings(("ConnectionStrings:cache", options.ToString(includePassword: true)));
        }
    }

    public CuttableTcpProxy? Proxy { get; }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Proxy?.Dispose();
    }
}

/// <summary>
/// A loopback TCP proxy: <see cref="Cut"/> drops every connection and refuses new ones (the API then sees Redis as
/// down), <see cref="Restore"/> lets connections through again.
/// </summary>
public sealed class CuttableTcpProxy : IDisposable
{
    private readonly TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
    private readonly System.Net.EndPoint _target;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TcpClient, byte> _live = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _cut;

    public CuttableTcpProxy(System.Net.EndPoint target)
    {
        _target = target;
        _listener.Start();
        _ = AcceptAsync();
    }

    public System.Net.IPEndPoint EndPoint => (System.Net.IPEndPoint)_listener.LocalEndpoint;

    public void Cut()
    {
        _cut = true;
        foreach (var client in _live.Keys)
        {
            client.Dispose();
        }
    }

    public void Restore() => _cut = false;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_cut)
            {
                client.Dispose();
                continue;
            }

            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        var upstream = new TcpClient();
        _live[client] = 0;
        _live[upstream] = 0;
        try
        {
            await upstream.Client.ConnectAsync(_target, _stop.Token);
            var down = client.GetStream();
            var up = upstream.GetStream();
            await Task.WhenAny(down.CopyToAsync(up, _stop.Token), up.CopyToAsync(down, _stop.Token));
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _live.TryRemove(client, out _);
            _live.TryRemove(upstream, out _);
            client.Dispose();
            upstream.Dispose();
        }
    }
}

/// <summary>The tests that change the shared Redis's generation keys run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SharedRedisCollection
{
    public const string Name = "shared redis";
}

/// <summary><see cref="CountingBlogApiFactory"/> with its output cache in the Redis named by <c>BLOG_TEST_REDIS</c>.</summary>
public sealed class RedisCountingBlogApiFactory : CountingBlogApiFactory
{
    public RedisCountingBlogApiFactory() => WithSettings(("ConnectionStrings:cache", RealRedisBlogApiFactory.ConnectionString));
}
