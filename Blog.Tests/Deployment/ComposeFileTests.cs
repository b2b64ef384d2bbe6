using System.Text.RegularExpressions;
using Blog.AppHost.Hosting.MongoDB;
using YamlDotNet.RepresentationModel;

namespace Blog.Tests.Deployment;

[CollectionDefinition(Name)]
public sealed class PublishedDeploymentsCollection : ICollectionFixture<PublishedDeployments>
{
    public const string Name = "Published deployments";
}

/// <summary>The Docker Compose files the AppHost's publish step writes, read back with YamlDotNet.</summary>
[Collection(PublishedDeploymentsCollection.Name)]
public class ComposeFileTests(PublishedDeployments published)
{
    private const string MongoPassword = "${MONGO_PASSWORD:?set MONGO_PASSWORD in .env}";
    private const string MongoAppPassword = "${MONGO_APP_PASSWORD:?set MONGO_APP_PASSWORD in .env}";
    private const string CachePassword = "${CACHE_PASSWORD:?set CACHE_PASSWORD in .env}";
    private const string CacheApiPassword = "${CACHE_API_PASSWORD:?set CACHE_API_PASSWORD in .env}";
    private const string CacheWebPassword = "${CACHE_WEB_PASSWORD:?set CACHE_WEB_PASSWORD in .env}";

    private YamlMappingNode Compose => DeploymentFiles.LoadYaml(Path.Combine(published.Containers, "compose", "docker-compose.yaml"));

    private YamlNode Service(string name) => Compose.At("services", name);

    [Fact]
    public void TheModelsResourcesBecomeServicesWithImagesAsVariables()
    {
        Assert.Equal(["mongo", "cache", "api", "web", "dashboard"], Compose.At("services").Keys());
        Assert.Equal("blog", Compose.At("name").Text());

        Assert.Equal("${MONGO_IMAGE:-docker.io/library/mongo:8.3}", Service("mongo").At("image").Text());
        Assert.Equal("${CACHE_IMAGE:-docker.io/library/redis:8.6}", Service("cache").At("image").Text());
        Assert.Equal("${API_IMAGE:-blog-api}:${IMAGE_TAG:-latest}", Service("api").At("image").Text());
        Assert.Equal("${WEB_IMAGE:-blog-web}:${IMAGE_TAG:-latest}", Service("web").At("image").Text());
    }

    [Fact]
    public void OnlyTheApiReachesTheDatabaseAndOnlyTheApiAndWebReachTheCache()
    {
        var networks = Compose.At("networks");
        Assert.Equal(["frontend", "backend-mongo", "backend-cache", "telemetry"], networks.Keys());
        Assert.Equal("true", networks.At("backend-mongo", "internal").Text());
        Assert.Equal("true", networks.At("backend-cache", "internal").Text());
        Assert.Null(networks.At("frontend").Find("internal"));

        Assert.Equal(["backend-mongo"], Service("mongo").At("networks").Strings());
        Assert.Equal(["backend-cache"], Service("cache").At("networks").Strings());
        Assert.Equal(["frontend", "backend-mongo", "backend-cache", "telemetry"], Service("api").At("networks").Strings());
        Assert.Equal(["frontend", "backend-cache", "telemetry"], Service("web").At("networks").Strings());
    }

    [Fact]
    public void OnlyTheWebIsPublishedAndTheApiOnlyThroughTheOptionalFile()
    {
        Assert.Equal(["${WEB_PORT:-8080}:8080"], Service("web").At("ports").Strings());
        foreach (var name in new[] { "mongo", "cache", "api" })
        {
            Assert.Null(Service(name).Find("ports"));
        }

        Assert.Equal(["27017"], Service("mongo").At("expose").Strings());
        Assert.Equal(["6379"], Service("cache").At("expose").Strings());

        var optional = DeploymentFiles.LoadYaml(Path.Combine(published.Containers, "compose", "docker-compose.internal-ports.yaml"));
        Assert.Equal(["api"], optional.At("services").Keys());
        Assert.Equal(["${API_PORT:-8081}:8080"], optional.At("services", "api", "ports").Strings());
    }

    [Fact]
    public void EveryServiceHasAHealthCheckThatRunsInsideItsOwnImage()
    {
        Assert.Equal(["CMD", "dotnet", "/app/Blog.Api.dll", "--healthcheck", "http://localhost:8080/health"],
            Service("api").At("healthcheck", "test").Strings());
        Assert.Equal(["CMD", "dotnet", "/app/Blog.Web.dll", "--healthcheck", "http://localhost:8080/health"],
            Service("web").At("healthcheck", "test").Strings());
        Assert.Equal(["CMD", "/bin/sh", "-c", "redis-cli --user admin -a \"$$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"],
            Service("cache").At("healthcheck", "test").Strings());
        Assert.Equal(["CMD", "/bin/bash", "-c", MongoDBApplicationUser.ProbeScript.Replace("$", "$$", StringComparison.Ordinal)],
            Service("mongo").At("healthcheck", "test").Strings());
    }

    [Fact]
    public void ServicesStartOnlyWhenWhatTheyWaitForIsHealthy()
    {
        var api = Service("api").At("depends_on");
        Assert.Equal(["mongo", "cache"], api.Keys());
        Assert.All(api.Keys(), k => Assert.Equal("service_healthy", api.At(k, "condition").Text()));

        var web = Service("web").At("depends_on");
        Assert.Equal(["api", "cache"], web.Keys());
        Assert.All(web.Keys(), k => Assert.Equal("service_healthy", web.At(k, "condition").Text()));

        Assert.Null(Service("mongo").Find("depends_on"));
    }

    [Fact]
    public void DataLivesInNamedVolumesOwnedByTheServicesNonRootUsers()
    {
        Assert.Equal(["mongo-data", "cache-data"], Compose.At("volumes").Keys());
        Assert.Equal(["mongo-data:/data/db"], Service("mongo").At("volumes").Strings());
        Assert.Equal(["cache-data:/data"], Service("cache").At("volumes").Strings());
        Assert.Equal("999:999", Service("mongo").At("user").Text());
        Assert.Equal("999:999", Service("cache").At("user").Text());
        Assert.All(new[] { "mongo", "cache", "api", "web" }, s => Assert.Equal(["ALL"], Service(s).At("cap_drop").Strings()));
    }

    [Fact]
    public void ConnectionStringsUseServiceNamesInternalPortsAndPasswordVariables()
    {
        var api = Service("api").At("environment").Pairs();
        // The API's own user, its password as a setting of its own (the API URL-encodes it), never root's.
        Assert.Equal("mongodb://mongo:27017/blogdb?authSource=blogdb&authMechanism=SCRAM-SHA-256", api["ConnectionStrings__blogdb"]);
        Assert.Equal("blog", api["Blog__Storage__MongoUsername"]);
        Assert.Equal(MongoAppPassword, api["Blog__Storage__MongoPassword"]);
        Assert.DoesNotContain(api.Values, v => v.Contains("MONGO_PASSWORD", StringComparison.Ordinal));
        Assert.Equal($"cache:6379,user=api,password={CacheApiPassword}", api["ConnectionStrings__cache"]);
        Assert.Equal("${JWT_SIGNING_KEY:?set JWT_SIGNING_KEY in .env}", api["Jwt__SigningKey"]);
        Assert.Equal("${ADMIN_PASSWORD:?set ADMIN_PASSWORD in .env}", api["Admin__Password"]);
        Assert.Equal("${ADMIN_USERNAME:-admin}", api["Admin__Username"]);

        var web = Service("web").At("environment").Pairs();
        Assert.Equal("http://api:8080", web["services__api__http__0"]);
        Assert.Equal($"cache:6379,user=web,password={CacheWebPassword}", web["ConnectionStrings__cache"]);
        Assert.DoesNotContain(web.Keys, k => k.Contains("https", StringComparison.Ordinal));
        Assert.DoesNotContain("ConnectionStrings__blogdb", web.Keys);

        var cache = Service("cache");
        Assert.Equal(CachePassword, cache.At("environment").Pairs()["REDIS_PASSWORD"]);
        Assert.Equal(MongoPassword, Service("mongo").At("environment").Pairs()["MONGO_INITDB_ROOT_PASSWORD"]);
    }

    [Fact]
    public void EachAppSignsInToRedisAsItsOwnUserLimitedToItsOwnKeysAndNoAppHoldsTheAdminPassword()
    {
        // Redis runs the way Aspire runs it (a shell that expands the passwords; $$ is compose's literal $), with ACL
        // users instead of --requirepass: the default user is off with no rights.
        var cache = Service("cache");
        Assert.Equal(["/bin/sh"], cache.At("entrypoint").Strings());
        Assert.Equal(
            ["-c", "redis-server --user default reset --user admin on \">$$REDIS_PASSWORD\" \"~*\" \"&*\" +@all"
                + " --user api on \">$$REDIS_API_PASSWORD\" resetchannels \"~blog-api:*\" +@all -@dangerous"
                + " --user web on \">$$REDIS_WEB_PASSWORD\" resetchannels \"~blog-web:*\" +@all -@dangerous --save 60 1"],
            cache.At("command").Strings());
        var environment = cache.At("environment").Pairs();
        Assert.Equal(CacheApiPassword, environment["REDIS_API_PASSWORD"]);
        Assert.Equal(CacheWebPassword, environment["REDIS_WEB_PASSWORD"]);

        // The prefixes the ACL allows are the ones the apps write under.
        Assert.Equal("blog-api:", Blog.Api.Caching.OutputCacheExtensions.RedisKeyPrefix);
        Assert.Equal("blog-web:", Blog.Web.Infrastructure.WebServiceExtensions.RedisKeyPrefix);

        foreach (var app in new[] { "api", "web" })
        {
            Assert.DoesNotContain(Service(app).At("environment").Pairs().Values, v => v.Contains("${CACHE_PASSWORD", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(Service("web").At("environment").Pairs().Values, v => v.Contains("CACHE_API_PASSWORD", StringComparison.Ordinal));
    }

    [Fact]
    public void TheWebProvesItselfToTheApiAndTrustsNoProxyUnlessOneIsConfigured()
    {
        var api = Service("api").At("environment").Pairs();
        var web = Service("web").At("environment").Pairs();
        Assert.Equal("${PROXY_SECRET:?set PROXY_SECRET in .env}", api["ForwardedHeaders__ProxySecret"]);
        Assert.Equal("${PROXY_SECRET:?set PROXY_SECRET in .env}", web["Blog__Api__ProxySecret"]);

        // Compose publishes the web directly: no proxy in front of it is trusted unless the operator names one.
        Assert.Equal("${WEB_TRUSTED_PROXIES:-}", web["ForwardedHeaders__KnownNetworks__0"]);
        Assert.Equal("", ReadEnv(published.Containers)["WEB_TRUSTED_PROXIES"]);
        Assert.DoesNotContain("ForwardedHeaders__KnownNetworks__0", api.Keys);
    }

    [Fact]
    public void TheWebsDataProtectionKeysAreEncryptedWithACertificateGeneratedAtPublish()
    {
        var web = Service("web").At("environment").Pairs();
        Assert.Equal("${DATAPROTECTION_CERTIFICATE:?set DATAPROTECTION_CERTIFICATE in .env}", web["Blog__DataProtection__Certificate"]);

        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            Convert.FromBase64String(ReadEnv(published.Containers)["DATAPROTECTION_CERTIFICATE"]), password: null);
        Assert.True(certificate.HasPrivateKey);
        Assert.NotEqual(ReadEnv(published.Containers)["DATAPROTECTION_CERTIFICATE"], ReadEnv(published.Embedded)["DATAPROTECTION_CERTIFICATE"]);
    }

    [Fact]
    public void TheDashboardIsNeitherAnonymousNorOnTheFrontendNetwork()
    {
        var dashboard = Service("dashboard");
        var environment = dashboard.At("environment").Pairs();
        Assert.Equal("BrowserToken", environment["DASHBOARD__FRONTEND__AUTHMODE"]);
        Assert.Equal("${DASHBOARD_BROWSER_TOKEN:?set DASHBOARD_BROWSER_TOKEN in .env}", environment["DASHBOARD__FRONTEND__BROWSERTOKEN"]);
        Assert.Equal("ApiKey", environment["DASHBOARD__OTLP__AUTHMODE"]);
        Assert.Equal("${DASHBOARD_OTLP_API_KEY:?set DASHBOARD_OTLP_API_KEY in .env}", environment["DASHBOARD__OTLP__PRIMARYAPIKEY"]);
        Assert.DoesNotContain("ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS", environment.Keys);

        // Only its OTLP senders share a network with it; the api and web send the key.
        Assert.Equal(["telemetry"], dashboard.At("networks").Strings());
        Assert.DoesNotContain("dashboard", Service("mongo").At("networks").Strings().Concat(Service("cache").At("networks").Strings()));
        foreach (var app in new[] { "api", "web" })
        {
            Assert.Equal("x-otlp-api-key=${DASHBOARD_OTLP_API_KEY:?set DASHBOARD_OTLP_API_KEY in .env}", Service(app).At("environment").Pairs()["OTEL_EXPORTER_OTLP_HEADERS"]);
        }

        var env = ReadEnv(published.Containers);
        Assert.Matches("^[A-Za-z0-9]{32,}$", env["DASHBOARD_BROWSER_TOKEN"]);
        Assert.Matches("^[A-Za-z0-9]{32,}$", env["DASHBOARD_OTLP_API_KEY"]);
    }

    [Fact]
    public void TelemetryIsASettingAndTheDashboardIsOptIn()
    {
        var api = Service("api").At("environment").Pairs();
        Assert.Equal("${OTEL_EXPORTER_OTLP_ENDPOINT:-}", api["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Equal("api", api["OTEL_SERVICE_NAME"]);

        var dashboard = Service("dashboard");
        Assert.Equal(["dashboard"], dashboard.At("profiles").Strings());
        Assert.Equal(["127.0.0.1:${DASHBOARD_PORT:-18888}:18888"], dashboard.At("ports").Strings());
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", ReadEnv(published.Containers).Keys);
    }

    [Fact]
    public void SecretsAreGeneratedStrongIntoTheGitIgnoredEnvFileAndNowhereElse()
    {
        var compose = Path.Combine(published.Containers, "compose");
        var env = ReadEnv(published.Containers);
        string[] secrets = ["MONGO_PASSWORD", "MONGO_APP_PASSWORD", "CACHE_PASSWORD", "CACHE_API_PASSWORD", "CACHE_WEB_PASSWORD", "JWT_SIGNING_KEY",
            "ADMIN_PASSWORD", "PROXY_SECRET", "DASHBOARD_BROWSER_TOKEN", "DASHBOARD_OTLP_API_KEY"];
        foreach (var key in secrets)
        {
            Assert.Matches("^[A-Za-z0-9]{32,}$", env[key]);
        }

        Assert.True(env["JWT_SIGNING_KEY"].Length >= 64, "HS256 needs 256 bits and more");
        Assert.Equal(secrets.Length, secrets.Select(k => env[k]).Distinct().Count());
        secrets = [.. secrets, "DATAPROTECTION_CERTIFICATE"];
        Assert.Equal("admin", env["ADMIN_USERNAME"]);
        Assert.Equal("blog-api", env["API_IMAGE"]);

        Assert.Contains(".env", File.ReadAllLines(Path.Combine(compose, ".gitignore")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(compose, ".env")));
        }

        foreach (var file in Directory.EnumerateFiles(published.Containers, "*", SearchOption.AllDirectories)
                     .Where(f => Path.GetFileName(f) is not (".env" or "secrets.env")))
        {
            var text = File.ReadAllText(file);
            Assert.All(secrets, key => Assert.DoesNotContain(env[key], text, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task RepublishingKeepsEveryEnvValueAndOnlyAddsMissingKeys()
    {
        var output = Publisher.NewOutputDirectory();
        try
        {
            await Publisher.PublishAsync(output);
            var envPath = Path.Combine(output, "compose", ".env");
            var first = ReadEnv(output);
            var composeBefore = File.ReadAllText(Path.Combine(output, "compose", "docker-compose.yaml"));
            var k8sSecretsBefore = File.ReadAllText(Path.Combine(output, "k8s", "secrets.env"));
            var k8sApiBefore = File.ReadAllText(Path.Combine(output, "k8s", "api.yaml"));

            // An operator edits the file: changes a value, deletes a key, adds one of their own.
            var lines = File.ReadAllLines(envPath)
                .Select(l => l.StartsWith("ADMIN_USERNAME=", StringComparison.Ordinal) ? "ADMIN_USERNAME=editor" : l)
                .Where(l => !l.StartsWith("CACHE_PASSWORD=", StringComparison.Ordinal))
                .Append("MY_OWN_SETTING=keep-me");
            await File.WriteAllLinesAsync(envPath, lines, TestContext.Current.CancellationToken);

            await Publisher.PublishAsync(output);

            var second = ReadEnv(output);
            Assert.Equal(first["MONGO_PASSWORD"], second["MONGO_PASSWORD"]);
            Assert.Equal(first["JWT_SIGNING_KEY"], second["JWT_SIGNING_KEY"]);
            Assert.Equal(first["ADMIN_PASSWORD"], second["ADMIN_PASSWORD"]);
            Assert.Equal("editor", second["ADMIN_USERNAME"]);
            Assert.Equal("keep-me", second["MY_OWN_SETTING"]);
            Assert.Matches("^[A-Za-z0-9]{32,}$", second["CACHE_PASSWORD"]); // the missing key came back, generated
            Assert.Equal(1, Regex.Count(File.ReadAllText(envPath), "^CACHE_PASSWORD=", RegexOptions.Multiline));

            // Same model, same files (only the env files hold generated values).
            Assert.Equal(composeBefore, File.ReadAllText(Path.Combine(output, "compose", "docker-compose.yaml")));
            Assert.Equal(k8sSecretsBefore, File.ReadAllText(Path.Combine(output, "k8s", "secrets.env")));
            Assert.Equal(k8sApiBefore, File.ReadAllText(Path.Combine(output, "k8s", "api.yaml")));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void TheEmbeddedStoreHasNoMongoServiceAndKeepsTheApiDataOnAVolume()
    {
        var compose = DeploymentFiles.LoadYaml(Path.Combine(published.Embedded, "compose", "docker-compose.yaml"));
        Assert.Equal(["cache", "api", "web", "dashboard"], compose.At("services").Keys());
        Assert.Equal(["frontend", "backend-cache", "telemetry"], compose.At("networks").Keys());
        Assert.Equal(["cache-data", "api-data"], compose.At("volumes").Keys());

        var api = compose.At("services", "api");
        Assert.Equal(["api-data:/app/data"], api.At("volumes").Strings());
        Assert.Equal("/app/data/blog.db", api.At("environment").Pairs()["Blog__Storage__EmbeddedPath"]);
        Assert.DoesNotContain("ConnectionStrings__blogdb", api.At("environment").Keys());
        Assert.Equal(["cache"], api.At("depends_on").Keys());
        Assert.DoesNotContain("MONGO_PASSWORD", ReadEnv(published.Embedded).Keys);
    }

    [Fact]
    public async Task DockerComposeAcceptsTheFiles()
    {
        var version = await DeploymentFiles.RunAsync("docker", ["compose", "version"]);
        Assert.SkipWhen(version is not { ExitCode: 0 }, "Docker Compose v2 is not installed (scripts/provision.sh compose)");

        foreach (var output in new[] { published.Containers, published.Embedded })
        {
            var directory = Path.Combine(output, "compose");
            // --quiet: validate only (a full `config` would print the interpolated secrets).
            var result = await DeploymentFiles.RunAsync("docker",
                ["compose", "-f", "docker-compose.yaml", "-f", "docker-compose.internal-ports.yaml", "--profile", "dashboard", "config", "--quiet"],
                directory);
            Assert.True(result!.ExitCode == 0, $"docker compose config in {directory}: {result.Error}");
        }
    }

    internal static Dictionary<string, string> ReadEnv(string output)
    {
        var values = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(output, "compose", ".env")))
        {
            if (line.Length > 0 && !line.StartsWith('#') && line.IndexOf('=') is var i and > 0)
            {
                values[line[..i]] = line[(i + 1)..];
            }
        }

        return values;
    }
}
