using System.Text;
using System.Text.Json;
using Blog.Api.Storage.MongoDB;
using k8s;
using k8s.Models;
using MongoDB.Driver;

namespace Blog.Tests.Deployment;

/// <summary>
/// A user edits the MongoDB passwords after publishing (the env files invite it) to ones with every printable ASCII
/// character, <c>@ : / ? # % $</c> included. What <c>docker compose config</c> and <c>kubectl kustomize</c> hand the
/// services must be those exact passwords, and the API's connection string must parse back to its password with the
/// driver's own parser.
/// </summary>
public class MongoPasswordTests
{
    /// <summary>Every printable ASCII character (space to tilde), in an order that starts and ends with a letter.</summary>
    private static readonly string RootPassword = "r" + new string([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c)]) + "r";

    private static readonly string AppPassword = "a" + new string([.. Enumerable.Range(0x20, 0x7F - 0x20).Select(c => (char)c).Reverse()]) + "a";

    [Fact]
    public async Task AnyPrintablePasswordInTheComposeEnvFileReachesMongoAndTheApiExactly()
    {
        var version = await DeploymentFiles.RunAsync("docker", ["compose", "version"]);
        Assert.SkipWhen(version is not { ExitCode: 0 }, "Docker Compose v2 is not installed (scripts/provision.sh compose)");

        var output = Publisher.NewOutputDirectory();
        try
        {
            await Publisher.PublishAsync(output);
            var compose = Path.Combine(output, "compose");
            var envPath = Path.Combine(compose, ".env");

            // Edited the way the .env header says: double quotes, a backslash before \ " and $.
            var lines = File.ReadAllLines(envPath).Select(line =>
                line.StartsWith("MONGO_PASSWORD=", StringComparison.Ordinal) ? $"MONGO_PASSWORD={ComposeEnvValue(RootPassword)}"
                : line.StartsWith("MONGO_APP_PASSWORD=", StringComparison.Ordinal) ? $"MONGO_APP_PASSWORD={ComposeEnvValue(AppPassword)}"
                : line);
            await File.WriteAllLinesAsync(envPath, lines, TestContext.Current.CancellationToken);
            Assert.Contains("backslash", File.ReadAllText(envPath), StringComparison.Ordinal); // the header says how

            var result = await DeploymentFiles.RunAsync("docker", ["compose", "config", "--format", "json"], compose);
            Assert.True(result!.ExitCode == 0, result.Error);
            using var json = JsonDocument.Parse(result.Output);
            var services = json.RootElement.GetProperty("services");
            var api = Environment(services.GetProperty("api"));
            var mongo = Environment(services.GetProperty("mongo"));

            Assert.Equal(RootPassword, mongo["MONGO_INITDB_ROOT_PASSWORD"]);
            Assert.Equal(AppPassword, mongo["MONGO_APP_PASSWORD"]);
            AssertTheApiConnectsAsItsUserWith(AppPassword, api["ConnectionStrings__blogdb"], api["Blog__Storage__MongoUsername"], api["Blog__Storage__MongoPassword"]);
            Assert.DoesNotContain(api.Values, v => v.Contains(RootPassword, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task AnyPrintablePasswordInTheKubernetesSecretsFileReachesMongoAndTheApiExactly()
    {
        var output = Publisher.NewOutputDirectory();
        try
        {
            await Publisher.PublishAsync(output);
            var k8sDirectory = Path.Combine(output, "k8s");
            var secretsPath = Path.Combine(k8sDirectory, "secrets.env");

            // kustomize takes an env file's value as it is: no quoting, no escaping.
            var lines = File.ReadAllLines(secretsPath).Select(line =>
                line.StartsWith("MONGO_PASSWORD=", StringComparison.Ordinal) ? $"MONGO_PASSWORD={RootPassword}"
                : line.StartsWith("MONGO_APP_PASSWORD=", StringComparison.Ordinal) ? $"MONGO_APP_PASSWORD={AppPassword}"
                : line);
            await File.WriteAllLinesAsync(secretsPath, lines, TestContext.Current.CancellationToken);

            var result = await DeploymentFiles.RunAsync("kubectl", ["kustomize", k8sDirectory]);
            Assert.SkipWhen(result is null, "kubectl is not installed");
            Assert.True(result!.ExitCode == 0, result.Error);
            var rendered = KubernetesYaml.LoadAllFromString(result.Output);
            var secret = Assert.Single(rendered.OfType<V1Secret>());
            var configMaps = rendered.OfType<V1ConfigMap>().ToList();

            string Resolve(V1Container container, string name)
            {
                if (container.Env?.SingleOrDefault(e => e.Name == name) is { } env)
                {
                    if (env.ValueFrom?.SecretKeyRef is { } secretRef)
                    {
                        Assert.Equal(secret.Metadata.Name, secretRef.Name);
                        return Encoding.UTF8.GetString(secret.Data[secretRef.Key]);
                    }

                    if (env.ValueFrom?.ConfigMapKeyRef is { } configRef)
                    {
                        return configMaps.Single(c => c.Metadata.Name == configRef.Name).Data[configRef.Key];
                    }

                    Assert.DoesNotContain("$(", env.Value, StringComparison.Ordinal); // nothing Kubernetes would expand
                    return env.Value;
                }

                var fromConfigMap = Assert.Single(container.EnvFrom).ConfigMapRef.Name;
                return configMaps.Single(c => c.Metadata.Name == fromConfigMap).Data[name];
            }

            var api = Assert.Single(Assert.Single(rendered.OfType<V1Deployment>(), d => d.Metadata.Name == "api").Spec.Template.Spec.Containers);
            var mongo = Assert.Single(Assert.Single(rendered.OfType<V1StatefulSet>(), s => s.Metadata.Name == "mongo").Spec.Template.Spec.Containers);

            Assert.Equal(RootPassword, Resolve(mongo, "MONGO_INITDB_ROOT_PASSWORD"));
            Assert.Equal(AppPassword, Resolve(mongo, "MONGO_APP_PASSWORD"));
            AssertTheApiConnectsAsItsUserWith(AppPassword,
                Resolve(api, "ConnectionStrings__blogdb"), Resolve(api, "Blog__Storage__MongoUsername"), Resolve(api, "Blog__Storage__MongoPassword"));
            Assert.DoesNotContain(api.Env, e => e.ValueFrom?.SecretKeyRef?.Key == "MONGO_PASSWORD");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void TheApiPutsItsUserAndPasswordIntoTheUrlEncodedSoTheDriverReadsThemBack()
    {
        var composed = MongoCredentials.Compose("mongodb://mongo:27017/blogdb?authSource=blogdb&authMechanism=SCRAM-SHA-256", "blog", AppPassword);

        var url = MongoUrl.Create(composed);
        Assert.Equal(("blog", AppPassword), (url.Username, url.Password));
        Assert.Equal(("blogdb", "blogdb", "SCRAM-SHA-256"), (url.DatabaseName, url.AuthenticationSource, url.AuthenticationMechanism));
        Assert.Equal("mongo", url.Server.Host);
    }

    [Fact]
    public void WithoutUserSettingsTheConnectionStringIsUsedAsItIsAndHalfASettingIsRefused()
    {
        const string given = "mongodb://user:p%40ss@db.example:27017/blogdb";

        Assert.Equal(given, MongoCredentials.Compose(given, null, null));
        var ex = Assert.Throws<InvalidOperationException>(() => MongoCredentials.Compose(given, "blog", null));
        Assert.Contains(MongoCredentials.PasswordKey, ex.Message, StringComparison.Ordinal);
    }

    private static void AssertTheApiConnectsAsItsUserWith(string password, string connectionString, string username, string givenPassword)
    {
        Assert.DoesNotContain("@", connectionString, StringComparison.Ordinal); // no credentials in the URL itself
        var url = MongoUrl.Create(MongoCredentials.Compose(connectionString, username, givenPassword));
        Assert.Equal(("blog", password), (url.Username, url.Password));
        Assert.Equal(("blogdb", "blogdb"), (url.DatabaseName, url.AuthenticationSource));
    }

    /// <summary>The compose .env rule for any value: double quotes, and a backslash before <c>\</c>, <c>"</c> and <c>$</c>.</summary>
    private static string ComposeEnvValue(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal) + "\"";

    /// <summary>A service's environment from <c>docker compose config</c>: its output is a compose file again, where <c>$$</c> is a literal <c>$</c>.</summary>
    private static Dictionary<string, string> Environment(JsonElement service) =>
        service.GetProperty("environment").EnumerateObject()
            .ToDictionary(p => p.Name, p => (p.Value.GetString() ?? "").Replace("$$", "$", StringComparison.Ordinal));
}
