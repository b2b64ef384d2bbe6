using System.Diagnostics;
using System.Net.Sockets;
using Blog.Api.Posts;
using Blog.Api.Storage;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Blog.Tests.Api;

namespace Blog.Tests.Integrations;

/// <summary>The API with its output cache in the Redis named by <c>BLOG_TEST_REDIS</c> (a StackExchange.Redis connection string).</summary>
public sealed class RealRedisBlogApiFactory : BlogApiFactory
{
    public const string EnvironmentVariable = "BLOG_TEST_REDIS";

    public static string? ConnectionString => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

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
