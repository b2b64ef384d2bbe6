using Aspire.Hosting.Testing;

namespace Blog.Tests.AppHost;

/// <summary>
/// Arguments for starting the real AppHost in tests. Every parameter is given explicitly: with the dashboard off,
/// Aspire cannot prompt for a missing value and the resource needing it would never start.
/// </summary>
internal static class AppHostArgs
{
    public const string AdminUsername = "admin";
    public const string AdminEmail = "admin@blog.test";
    public const string AdminPassword = "Adm1n-Passw0rd-For-Tests-Only";

    // A fixed, obviously-test key of 64 hex characters (256 bits).
    public const string JwtSigningKey = "7e3f1c9a5b2d4e6f8a0c1e3d5f7a9b1c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f01";

    public static string[] Create(string database, string cache, string dataDirectory, params string[] extra) =>
    [
        $"--Blog:Database={database}",
        $"--Blog:Cache={cache}",
        $"--Blog:EmbeddedDataDirectory={dataDirectory}",
        $"--Parameters:jwt-signing-key={JwtSigningKey}",
        $"--Parameters:admin-username={AdminUsername}",
        $"--Parameters:admin-email={AdminEmail}",
        $"--Parameters:admin-password={AdminPassword}",
        // Container passwords are generated parameters; fixed here so runs are reproducible.
        "--Parameters:cache-password=CachePassw0rdForTests",
        "--Parameters:mongo-password=MongoPassw0rdForTests",
        "--Parameters:mongo-app-password=MongoAppPassw0rdForTests",
        "--Parameters:cache-api-password=CacheApiPassw0rdForTests",
        "--Parameters:cache-web-password=CacheWebPassw0rdForTests",
        "--Parameters:proxy-secret=ProxySecretForTestsOnly0123456789abcdefghijklmnop",
        .. extra,
    ];

    /// <summary>The AppHost's application model built with <see cref="Create"/>'s arguments; nothing is started.</summary>
    public static Task<IDistributedApplicationTestingBuilder> CreateModelBuilderAsync(
        string database, string cache, string dataDirectory, params string[] extra) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.Blog_AppHost>(Create(database, cache, dataDirectory, extra), Ct);
}
