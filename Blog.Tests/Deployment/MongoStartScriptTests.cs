using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Blog.Tests.Deployment;

/// <summary>
/// The mongo container's start script and health probe, taken from the emitted files and run here with stand-ins for
/// <c>docker-entrypoint.sh</c>, <c>mongosh</c> and the server (no MongoDB image exists on these machines): the shell
/// part with bash, the mongosh JavaScript with node against a fake <c>db</c>. What only a real server shows (that
/// createUser/updateUser and the probe behave as the MongoDB manual says) is left to a machine with the image.
/// </summary>
[Collection(PublishedDeploymentsCollection.Name)]
public partial class MongoStartScriptTests(PublishedDeployments published)
{
    private const string HostName = "mongo-under-test";

    /// <summary>The start script as the container runs it: compose's <c>$$</c> is a literal <c>$</c>; Kubernetes runs its args as written.</summary>
    private string StartScript
    {
        get
        {
            var compose = DeploymentFiles.LoadYaml(Path.Combine(published.Containers, "compose", "docker-compose.yaml")).At("services", "mongo");
            Assert.Equal(["/bin/bash"], compose.At("entrypoint").Strings());
            var command = compose.At("command").Strings();
            Assert.Equal("-c", command[0]);
            var script = command[1].Replace("$$", "$", StringComparison.Ordinal);

            var k8s = Path.Combine(published.Containers, "k8s", "mongo.yaml");
            var mongo = Assert.Single(KubernetesYaml.LoadAllFromString(File.ReadAllText(k8s)).OfType<V1StatefulSet>());
            var container = Assert.Single(mongo.Spec.Template.Spec.Containers);
            Assert.Equal(["/bin/bash"], container.Command);
            Assert.Equal(["-c", script], container.Args);
            Assert.DoesNotContain("$(", script, StringComparison.Ordinal); // Kubernetes would expand it
            Assert.DoesNotContain("$$", script, StringComparison.Ordinal); // Kubernetes would make it one $
            return script;
        }
    }

    private string ProbeScript
    {
        get
        {
            var test = DeploymentFiles.LoadYaml(Path.Combine(published.Containers, "compose", "docker-compose.yaml"))
                .At("services", "mongo", "healthcheck", "test").Strings();
            Assert.Equal(["CMD", "/bin/bash", "-c"], test[..3]);
            return test[3].Replace("$$", "$", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheStartScriptRetriesOnTheContainersHostNameUntilTheUserStepSucceedsAndPassesStopToMongod()
    {
        Assert.SkipWhen(!File.Exists("/bin/bash"), "bash is not installed");
        var work = Directory.CreateTempSubdirectory("blog-mongo-start-").FullName;
        try
        {
            var log = Path.Combine(work, "log");
            WriteExecutable(Path.Combine(work, "docker-entrypoint.sh"), """
                #!/bin/bash
                echo "entrypoint $*" >> "$STUB_LOG"
                trap 'echo "mongod stopped" >> "$STUB_LOG"; exit 0' TERM
                while true; do sleep 0.1; done
                """);
            // Fails the first time (mongod not up yet), then succeeds; records where it connected.
            WriteExecutable(Path.Combine(work, "mongosh"), """
                #!/bin/bash
                n=0; [ -f "$STUB_LOG.count" ] && n=$(cat "$STUB_LOG.count"); echo $((n + 1)) > "$STUB_LOG.count"
                while [ $# -gt 0 ]; do
                  case "$1" in --host) echo "mongosh host $2" >> "$STUB_LOG"; shift ;; esac
                  shift
                done
                [ "$n" -ge 1 ]
                """);

            using var bash = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", StartScript])
            {
                Environment =
                {
                    ["PATH"] = $"{work}:{Environment.GetEnvironmentVariable("PATH")}",
                    ["HOSTNAME"] = HostName,
                    ["STUB_LOG"] = log,
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            _ = bash.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            _ = bash.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);

            await WaitUntilAsync(() => Lines(log).Count(l => l.StartsWith("mongosh", StringComparison.Ordinal)) >= 2, TimeSpan.FromSeconds(20));
            await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken); // a third attempt would come after 3 s

            var kill = await DeploymentFiles.RunAsync("kill", ["-TERM", bash.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            Assert.Equal(0, kill!.ExitCode);
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await bash.WaitForExitAsync(exited.Token);

            var lines = Lines(log);
            // mongod and the user step start together, so their first lines may come in either order.
            Assert.Equal(["entrypoint mongod"], lines.Where(l => l.StartsWith("entrypoint", StringComparison.Ordinal)));
            Assert.Equal([$"mongosh host {HostName}", $"mongosh host {HostName}"], lines.Where(l => l.StartsWith("mongosh", StringComparison.Ordinal)));
            Assert.Equal("mongod stopped", lines[^1]);
            Assert.Equal(0, bash.ExitCode);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task TheUserStepCreatesTheUserOnceAndResetsItsPasswordAndRolesOnEveryLaterStart()
    {
        var js = EvalArgument(StartScript);
        const string harness = """
            const users = {}, calls = [];
            const db = { getSiblingDB(name) { return {
              auth(user, pwd) { calls.push({ op: "auth", db: name, user, pwd }); return { ok: 1 }; },
              getUser(user) { return users[name + "." + user] ?? null; },
              createUser(doc) { calls.push({ op: "create", db: name, doc }); users[name + "." + doc.user] = doc; },
              updateUser(user, doc) { calls.push({ op: "update", db: name, user, doc }); },
            }; } };
            const start = new Function("db", "print", require("fs").readFileSync(process.argv[2], "utf8"));
            start(db, () => {}); // first start: a new volume
            start(db, () => {}); // every later start
            console.log(JSON.stringify(calls));
            """;

        var output = await RunNodeAsync(harness, js, new() { ["MONGO_APP_PASSWORD"] = "p@ss:/?#%$'\"" });

        using var calls = JsonDocument.Parse(output);
        var all = calls.RootElement.EnumerateArray().ToList();
        Assert.Equal(["auth", "create", "auth", "update"], all.Select(c => c.GetProperty("op").GetString()));
        Assert.All(all.Where(c => c.GetProperty("op").GetString() == "auth"), c =>
            Assert.Equal(("admin", "root", "root-password"), (c.GetProperty("db").GetString(), c.GetProperty("user").GetString(), c.GetProperty("pwd").GetString())));
        var created = all[1].GetProperty("doc");
        Assert.Equal(("blogdb", "blog", "p@ss:/?#%$'\""), (all[1].GetProperty("db").GetString(), created.GetProperty("user").GetString(), created.GetProperty("pwd").GetString()));
        var updated = all[3].GetProperty("doc");
        Assert.Equal(("blogdb", "blog", "p@ss:/?#%$'\""), (all[3].GetProperty("db").GetString(), all[3].GetProperty("user").GetString(), updated.GetProperty("pwd").GetString()));
        foreach (var roles in new[] { created.GetProperty("roles"), updated.GetProperty("roles") })
        {
            var role = Assert.Single(roles.EnumerateArray());
            Assert.Equal(("readWrite", "blogdb"), (role.GetProperty("role").GetString(), role.GetProperty("db").GetString()));
        }
    }

    [Theory]
    [InlineData("right", "return", true)]
    [InlineData("wrong", "return", false)] // auth answering without throwing still leaves nobody signed in
    [InlineData("wrong", "throw", false)]
    public async Task TheProbePassesOnlyWhenTheApplicationUserIsSignedIn(string password, string onFailure, bool healthy)
    {
        var probe = ProbeScript;
        Assert.StartsWith("mongosh --quiet --norc --host \"$HOSTNAME\" ", probe, StringComparison.Ordinal); // never loopback
        var js = EvalArgument(probe);
        const string harness = """
            const signedIn = [];
            const db = { getSiblingDB(name) { return {
              auth(user, pwd) {
                if (name === process.env.MONGO_APP_DATABASE && pwd === "right") { signedIn.push({ user, db: name }); return { ok: 1 }; }
                if (process.env.ON_FAILURE === "throw") { throw new Error("Authentication failed."); }
                return { ok: 0 };
              },
              runCommand(command) { return command.connectionStatus ? { authInfo: { authenticatedUsers: signedIn } } : { ok: 1 }; },
            }; } };
            const quit = code => process.exit(code);
            try { new Function("db", "quit", require("fs").readFileSync(process.argv[2], "utf8"))(db, quit); }
            catch { process.exit(7); }
            process.exit(0);
            """;

        var exitCode = await RunNodeForExitCodeAsync(harness, js, new() { ["MONGO_APP_PASSWORD"] = password, ["ON_FAILURE"] = onFailure });

        Assert.Equal(healthy, exitCode == 0);
    }

    [GeneratedRegex("--eval '(?<js>[^']*)'")]
    private static partial Regex EvalPattern();

    private static string EvalArgument(string script) => Assert.Single(EvalPattern().Matches(script)).Groups["js"].Value;

    private static async Task<string> RunNodeAsync(string harness, string js, Dictionary<string, string> environment)
    {
        var (exitCode, output) = await RunNodeCoreAsync(harness, js, environment);
        Assert.Equal(0, exitCode);
        return output;
    }

    private static async Task<int> RunNodeForExitCodeAsync(string harness, string js, Dictionary<string, string> environment) =>
        (await RunNodeCoreAsync(harness, js, environment)).ExitCode;

    private static async Task<(int ExitCode, string Output)> RunNodeCoreAsync(string harness, string js, Dictionary<string, string> environment)
    {
        var work = Directory.CreateTempSubdirectory("blog-mongo-js-").FullName;
        try
        {
            var harnessPath = Path.Combine(work, "harness.js");
            var scriptPath = Path.Combine(work, "script.js");
            await File.WriteAllTextAsync(harnessPath, harness, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(scriptPath, js, TestContext.Current.CancellationToken);
            var env = new Dictionary<string, string>
            {
                ["MONGO_INITDB_ROOT_USERNAME"] = "root",
                ["MONGO_INITDB_ROOT_PASSWORD"] = "root-password",
                ["MONGO_APP_USERNAME"] = "blog",
                ["MONGO_APP_DATABASE"] = "blogdb",
            };
            foreach (var (key, value) in environment)
            {
                env[key] = value;
            }

            var result = await DeploymentFiles.RunAsync("node", [harnessPath, scriptPath], work, env);
            Assert.SkipWhen(result is null, "node is not installed (it runs the mongosh scripts against a stand-in here)");
            return (result!.ExitCode, result.Output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void WriteExecutable(string path, string text)
    {
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        if (OperatingSystem.IsWindows())
        {
            return; // not reached: the tests that write stubs need bash
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
