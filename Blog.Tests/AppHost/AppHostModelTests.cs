using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Blog.AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Blog.Tests.AppHost;

/// <summary>The application model the AppHost builds in each infrastructure choice. Nothing is started.</summary>
public class AppHostModelTests
{
    [Fact]
    public async Task EmbeddedAndMemoryRunOnlyTheTwoProjects()
    {
        await using var builder = await CreateBuilderAsync("embedded", "memory");

        Assert.Equal(["api", "web"], builder.Resources.OfType<ProjectResource>().Select(r => r.Name).Order());
        Assert.DoesNotContain(builder.Resources, r => r is ContainerResource or IResourceWithConnectionString);

        var apiEnv = await EnvironmentOfAsync(builder, "api");
        Assert.EndsWith("blog.db", apiEnv["Blog__Storage__EmbeddedPath"]);
        Assert.DoesNotContain("ConnectionStrings__blogdb", apiEnv.Keys);
        Assert.DoesNotContain("ConnectionStrings__cache", apiEnv.Keys);
        Assert.Equal("{jwt-signing-key.value}", apiEnv["Jwt__SigningKey"]);
        Assert.Equal("{admin-password.value}", apiEnv["Admin__Password"]);
        Assert.Equal("true", apiEnv["Blog__Passwords__BlockCommon"]);

        var webEnv = await EnvironmentOfAsync(builder, "web");
        Assert.Contains(webEnv.Keys, k => k.StartsWith("services__api__", StringComparison.Ordinal));
        Assert.DoesNotContain("ConnectionStrings__cache", webEnv.Keys);
    }

    [Fact]
    public async Task ContainersAreWiredWithReferencesAndWaits()
    {
        await using var builder = await CreateBuilderAsync("mongodb", "redis");

        var mongo = Assert.IsType<MongoDBServerResource>(Resource(builder, "mongo"));
        var image = Assert.Single(mongo.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(("docker.io", "library/mongo", "8.3"), (image.Registry, image.Image, image.Tag));
        var endpoint = Assert.Single(mongo.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(("tcp", 27017), (endpoint.Name, endpoint.TargetPort));
        Assert.Contains(mongo.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/data/db" && m.Type == ContainerMountType.Volume);
        Assert.Contains(mongo.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "mongo_check");

        var blogdb = Assert.IsType<MongoDBDatabaseResource>(Resource(builder, "blogdb"));
        Assert.Same(mongo, blogdb.Parent);
        Assert.Equal(
            "mongodb://admin:{mongo-password.value}@{mongo.bindings.tcp.host}:{mongo.bindings.tcp.port}/blogdb?authSource=admin&authMechanism=SCRAM-SHA-256",
            blogdb.ConnectionStringExpression.ValueExpression);

        var cache = Resource(builder, "cache");
        Assert.Contains(cache.Annotations.OfType<ContainerMountAnnotation>(), m => m.Target == "/data");

        // Waiting for a database also waits for its server.
        Assert.Equal(["blogdb", "cache", "mongo"], WaitsOf(builder, "api"));
        Assert.Equal(["api", "cache"], WaitsOf(builder, "web"));
        Assert.Equal(["api_http_/health_200_check"], HealthChecksOf(builder, "api"));

        // The API signs in as its own user (readWrite on blogdb), never as root.
        var apiEnv = await EnvironmentOfAsync(builder, "api");
        Assert.Equal("mongodb://{mongo.bindings.tcp.host}:{mongo.bindings.tcp.port}/blogdb?authSource=blogdb&authMechanism=SCRAM-SHA-256", apiEnv["ConnectionStrings__blogdb"]);
        Assert.Equal("blog", apiEnv["Blog__Storage__MongoUsername"]);
        Assert.Equal("{mongo-app-password.value}", apiEnv["Blog__Storage__MongoPassword"]);
        Assert.DoesNotContain(apiEnv.Values, v => v.Contains("mongo-password", StringComparison.Ordinal));
        Assert.Contains(blogdb.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == "blogdb_application_user_check");
        // Each app signs in to Redis as its own ACL user, never with the container's password (RedisAclExtensions).
        Assert.Equal("{cache.bindings.tcp.host}:{cache.bindings.tcp.port},user=api,password={cache-api-password.value}", apiEnv["ConnectionStrings__cache"]);
        Assert.DoesNotContain("Blog__Storage__EmbeddedPath", apiEnv.Keys);

        var webEnv = await EnvironmentOfAsync(builder, "web");
        Assert.Equal("{cache.bindings.tcp.host}:{cache.bindings.tcp.port},user=web,password={cache-web-password.value}", webEnv["ConnectionStrings__cache"]);
        Assert.DoesNotContain("ConnectionStrings__blogdb", webEnv.Keys);
    }

    [Fact]
    public async Task ExistingServersFromConnectionStringsReplaceTheContainers()
    {
        await using var builder = await CreateBuilderAsync("auto", "auto",
            "--ConnectionStrings:blogdb=mongodb://db.example:27017/blogdb",
            "--ConnectionStrings:cache=cache.example:6379");

        Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
        Assert.IsAssignableFrom<IResourceWithConnectionString>(Resource(builder, "blogdb"));
        Assert.IsAssignableFrom<IResourceWithConnectionString>(Resource(builder, "cache"));
        Assert.Equal(["blogdb", "cache"], WaitsOf(builder, "api"));
    }

    [Theory]
    [InlineData("embedded", "redis", DatabaseKind.Embedded, CacheKind.RedisContainer)]
    [InlineData("mongodb", "memory", DatabaseKind.MongoDBContainer, CacheKind.Memory)]
    [InlineData("auto", "auto", DatabaseKind.MongoDBContainer, CacheKind.RedisContainer)]
    public async Task PublishModeHonoursExplicitChoicesAndNeverProbes(string database, string cache, DatabaseKind expectedDatabase, CacheKind expectedCache)
    {
        // A runtime that does not exist: had auto probed it, it would have chosen embedded/memory.
        var probe = new ContainerRuntimeProbe("no-such-container-runtime");

        var choice = await InfrastructureChoice.DecideAsync(Config(database, cache), isPublishMode: true, probe);

        Assert.Equal((expectedDatabase, expectedCache), (choice.Database, choice.Cache));
    }

    [Fact]
    public async Task AutoWithoutAContainerRuntimeChoosesEmbeddedAndSaysWhy()
    {
        var probe = new ContainerRuntimeProbe("no-such-container-runtime");

        var choice = await InfrastructureChoice.DecideAsync(Config("auto", "auto"), isPublishMode: false, probe);

        Assert.Equal((DatabaseKind.Embedded, CacheKind.Memory), (choice.Database, choice.Cache));
        Assert.Contains("no container runtime is running", choice.DatabaseReason);
        Assert.Contains("Blog:Database=mongodb", choice.DatabaseReason);
        Assert.Contains("Blog:Cache=redis", choice.CacheReason);
    }

    [Fact]
    public async Task AnUnknownChoiceIsRefusedWithTheAllowedValues()
    {
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            InfrastructureChoice.DecideAsync(Config("postgres", "auto"), isPublishMode: false, new ContainerRuntimeProbe(null)));

        Assert.Contains("auto, mongodb or embedded", ex.Message);
    }

    [Fact]
    public async Task TheCommonPasswordBlocklistCanBeTurnedOffFromTheAppHostsConfiguration()
    {
        await using var builder = await CreateBuilderAsync("embedded", "memory", "--Blog:Passwords:BlockCommon=false");

        Assert.Equal("false", (await EnvironmentOfAsync(builder, "api"))["Blog__Passwords__BlockCommon"]);
    }

    [Fact]
    public async Task EveryPlainParameterTakesItsValueFromConfigurationBeforeItsDefault()
    {
        await using var configured = await CreateBuilderAsync("embedded", "memory",
            "--Parameters:admin-username=siteadmin", "--Parameters:admin-email=site@blog.test");
        await using var defaults = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Blog_AppHost>(
            ["--Blog:Database=embedded", "--Blog:Cache=memory", $"--Blog:EmbeddedDataDirectory={Path.GetTempPath()}"], Ct);

        Assert.Equal("siteadmin", await ParameterValueAsync(configured, "admin-username"));
        Assert.Equal("site@blog.test", await ParameterValueAsync(configured, "admin-email"));
        Assert.Equal("admin", await ParameterValueAsync(defaults, "admin-username"));
        Assert.Equal("admin@blog.local", await ParameterValueAsync(defaults, "admin-email"));
    }

    [Fact]
    public async Task TheWebHasAnHttpHealthCheckInTheModel()
    {
        await using var builder = await CreateBuilderAsync("embedded", "memory");

        // WithHttpHealthCheck names its check {resource}_{endpoint}_{path}_{status}_check: GET /health on http, 200 expected.
        Assert.Equal(["web_http_/health_200_check"], HealthChecksOf(builder, "web"));
        Assert.Equal(["api_http_/health_200_check"], HealthChecksOf(builder, "api"));

        // A key without a registration is a check Aspire cannot run: the resource would never be reported healthy.
        await using var app = await builder.BuildAsync(Ct);
        var registered = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name);
        Assert.Contains("web_http_/health_200_check", registered);
        Assert.Contains("api_http_/health_200_check", registered);
    }

    private static async Task<string?> ParameterValueAsync(IDistributedApplicationTestingBuilder builder, string name) =>
        await Assert.IsType<ParameterResource>(Resource(builder, name)).GetValueAsync(Ct);

    private static IConfiguration Config(string database, string cache) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [InfrastructureChoice.DatabaseKey] = database,
            [InfrastructureChoice.CacheKey] = cache,
        }).Build();

    private static Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(string database, string cache, params string[] extra) =>
        AppHostArgs.CreateModelBuilderAsync(database, cache, Path.GetTempPath(), extra);

    private static IResource Resource(IDistributedApplicationTestingBuilder builder, string name) =>
        Assert.Single(builder.Resources, r => r.Name == name);

    private static string[] HealthChecksOf(IDistributedApplicationTestingBuilder builder, string name) =>
        Resource(builder, name).Annotations.OfType<HealthCheckAnnotation>().Select(h => h.Key).Order().ToArray();

    private static string[] WaitsOf(IDistributedApplicationTestingBuilder builder, string name) =>
        Resource(builder, name).Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Order().ToArray();

    /// <summary>The environment as publishing sees it: values are manifest expressions such as <c>{blogdb.connectionString}</c>.</summary>
    private static async Task<Dictionary<string, string>> EnvironmentOfAsync(IDistributedApplicationTestingBuilder builder, string name)
    {
        var result = await ExecutionConfigurationBuilder.Create(Resource(builder, name))
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance, Ct);
        Assert.Null(result.Exception);
        return result.EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value);
    }
}
