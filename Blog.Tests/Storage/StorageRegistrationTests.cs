using Blog.Api.Storage;
using Blog.Api.Storage.LiteDB;
using Blog.Api.Storage.MongoDB;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MongoDB.Driver;

namespace Blog.Tests.Storage;

/// <summary>AddBlogStorage: which store is chosen from configuration, and what comes with it. No MongoDB server needed.</summary>
public sealed class StorageRegistrationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("blog-storage-registration-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task WithoutAMongoConnectionStringTheEmbeddedFileIsUsedInitializedAndHealthy()
    {
        using var host = Build(new() { ["Blog:Storage:EmbeddedPath"] = "data/test.db" });
        var expectedPath = Path.Combine(_root, "data", "test.db");

        await host.StartAsync(Ct);
        var info = host.Services.GetRequiredService<StorageInfo>();
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        await host.Services.GetRequiredService<IUserStore>().CreateAsync(NewUser("alice"), Ct);
        var duplicate = await Assert.ThrowsAsync<DuplicateKeyException>(
            () => host.Services.GetRequiredService<IUserStore>().CreateAsync(NewUser("ALICE"), Ct));
        await host.StopAsync(Ct);

        Assert.Equal(StorageInfo.Embedded, info.Kind);
        Assert.Contains(expectedPath, info.Description, StringComparison.Ordinal);
        Assert.True(File.Exists(expectedPath));
        Assert.IsType<LiteDbUserStore>(host.Services.GetRequiredService<IUserStore>());
        Assert.IsType<LiteDbPostStore>(host.Services.GetRequiredService<IPostStore>());
        Assert.IsType<LiteDbCommentStore>(host.Services.GetRequiredService<ICommentStore>());
        Assert.IsType<LiteDbRefreshTokenStore>(host.Services.GetRequiredService<IRefreshTokenStore>());
        Assert.Equal(HealthStatus.Healthy, health.Entries["storage"].Status);
        Assert.Equal("username", duplicate.Field);
    }

    [Fact]
    public async Task TheDefaultEmbeddedFileIsAppDataBlogDbUnderTheContentRoot()
    {
        using var host = Build([]);

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);

        Assert.True(File.Exists(Path.Combine(_root, "App_Data", "blog.db")));
        Assert.Contains(Path.Combine(_root, "App_Data", "blog.db"), host.Services.GetRequiredService<StorageInfo>().Description, StringComparison.Ordinal);
    }

    [Fact]
    public void WithABlogdbConnectionStringMongoDbIsUsedAndThePasswordIsNeverDescribed()
    {
        using var host = Build(new()
        {
            ["ConnectionStrings:blogdb"] = "mongodb://admin:s3cr3t-pw@db.example:27018/blogdb?authSource=admin&authMechanism=SCRAM-SHA-256",
        });

        var info = host.Services.GetRequiredService<StorageInfo>();
        var healthChecks = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name);

        Assert.Equal(StorageInfo.MongoDb, info.Kind);
        Assert.Contains("blogdb", info.Description, StringComparison.Ordinal);
        Assert.Contains("db.example:27018", info.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", info.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("admin", info.Description, StringComparison.Ordinal);
        Assert.IsType<MongoUserStore>(host.Services.GetRequiredService<IUserStore>());
        Assert.IsType<MongoPostStore>(host.Services.GetRequiredService<IPostStore>());
        Assert.IsType<MongoCommentStore>(host.Services.GetRequiredService<ICommentStore>());
        Assert.IsType<MongoRefreshTokenStore>(host.Services.GetRequiredService<IRefreshTokenStore>());
        Assert.IsType<MongoStoreInitializer>(host.Services.GetRequiredService<IStoreInitializer>());
        Assert.Equal("blogdb", host.Services.GetRequiredService<IMongoDatabase>().DatabaseNamespace.DatabaseName);
        Assert.Contains("MongoDB.Driver", healthChecks);
        Assert.DoesNotContain("storage", healthChecks);
    }

    [Fact]
    public void AMongoUrlWithoutADatabaseUsesTheConfiguredDatabaseName()
    {
        using var host = Build(new()
        {
            ["ConnectionStrings:blogdb"] = "mongodb://db.example:27017",
            ["Blog:Storage:MongoDatabase"] = "managed_blog",
        });

        var context = host.Services.GetRequiredService<MongoContext>();

        Assert.Null(host.Services.GetService<IMongoDatabase>());
        Assert.Equal("managed_blog", context.Database.DatabaseNamespace.DatabaseName);
        Assert.Contains("'managed_blog'", host.Services.GetRequiredService<StorageInfo>().Description, StringComparison.Ordinal);
    }

    private IHost Build(Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = _root,
            EnvironmentName = Environments.Development,
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddBlogStorage();
        return builder.Build();
    }

    private static User NewUser(string username) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Username = username,
        NormalizedUsername = username.ToLowerInvariant(),
        Email = $"{Guid.NewGuid():N}@example.com",
        NormalizedEmail = "",
        DisplayName = username,
        Role = Roles.Reader,
        PasswordHash = "hash",
    };
}
