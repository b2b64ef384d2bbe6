using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Blog.Tests.AppHost;

namespace Blog.Tests.Deployment;

/// <summary>
/// A real deployment with Docker Compose: the images built and pushed by <c>scripts/provision.sh images</c> (from this
/// checkout, to the local registry), the compose files published by the AppHost with the embedded store (no MongoDB
/// image exists here), <c>docker compose up</c>, every service healthy, a user and a post created through the
/// published ports, then restarts that must keep the post. Skipped, saying what is missing, where the machine lacks
/// the Docker engine, Compose v2, the registry's images or the redis image.
/// </summary>
[Collection(AppHostCollection.Name)]
public class ComposeDeploymentTests
{
    public const string Registry = "127.0.0.1:5000";

    /// <summary>The images' tag: <c>latest</c> (what scripts/provision.sh images pushes), or <c>BLOG_TEST_IMAGE_TAG</c>.</summary>
    public static readonly string ImageTag = Environment.GetEnvironmentVariable("BLOG_TEST_IMAGE_TAG") is { Length: > 0 } tag ? tag : "latest";
    private const string RedisImage = "docker.io/library/redis:8.6";
    private const string Provision = "scripts/provision.sh docker registry compose images; without a registry, .ci/images.sh first";
    private static readonly TimeSpan s_upTimeout = TimeSpan.FromMinutes(4);
    private static readonly CancellationToken s_ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePublishedComposeProjectRunsHealthyLeastPrivilegedWithPerClientSignInLimitsAndKeepsPostsAcrossRestarts()
    {
        var missing = await MissingPrerequisiteAsync();
        Assert.SkipWhen(missing is not null, $"Compose deployment skipped: {missing} (run {Provision})");

        var output = Publisher.NewOutputDirectory();
        var directory = Path.Combine(output, "compose");
        var project = $"blogdeploytest{Environment.ProcessId}";
        var (webPort, apiPort) = (FreePort(), FreePort());
        // Shell variables win over .env: the registry's images and free host ports, nothing else changed.
        var environment = new Dictionary<string, string>
        {
            ["COMPOSE_PROJECT_NAME"] = project,
            ["COMPOSE_FILE"] = "docker-compose.yaml:docker-compose.internal-ports.yaml",
            ["API_IMAGE"] = $"{Registry}/blog-api",
            ["WEB_IMAGE"] = $"{Registry}/blog-web",
            ["IMAGE_TAG"] = ImageTag,
            ["WEB_PORT"] = webPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["API_PORT"] = apiPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Task<DeploymentFiles.CliResult> Compose(params string[] args) => ComposeAsync(directory, environment, args);

        try
        {
            var clock = Stopwatch.StartNew();
            await Publisher.PublishAsync(output, "--Blog:Database=embedded");
            Log($"published in {clock.Elapsed.TotalSeconds:F1} s");

            clock.Restart();
            // The registry's images are the ones built from this tree; Docker would otherwise run an older copy of the
            // same tag that it cached locally (a machine that ran this test before). Only the app images: the cache
            // image is local-only and no registry of it is reachable here.
            await Compose("pull", "--quiet", "api", "web");
            await Compose("up", "-d", "--wait", "--wait-timeout", ((int)s_upTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await AssertAllHealthyAsync(Compose, ["api", "cache", "web"]);
            Log($"docker compose up: cache, api, web healthy in {clock.Elapsed.TotalSeconds:F1} s");

            using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{apiPort}") };
            using var web = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}") };
            var admin = ComposeFileTests.ReadEnv(output);
            var (slug, title) = await CreatePostAsync(api, admin["ADMIN_USERNAME"], admin["ADMIN_PASSWORD"]);
            Assert.Contains(title, await web.GetStringAsync("/", s_ct));

            await AssertOneClientsSignInLimitLeavesAnotherClientSigningInAsync(project, Compose, admin["ADMIN_USERNAME"], admin["ADMIN_PASSWORD"]);
            await AssertRedisUsersReachOnlyTheirOwnKeysAsync(Compose);

            clock.Restart();
            await Compose("restart");
            await Compose("up", "-d", "--wait", "--wait-timeout", "240");
            await AssertAllHealthyAsync(Compose, ["api", "cache", "web"]);
            Log($"docker compose restart: healthy again in {clock.Elapsed.TotalSeconds:F1} s");
            await AssertPostSurvivedAsync(api, web, slug, title);

            clock.Restart();
            await Compose("down");
            await Compose("up", "-d", "--wait", "--wait-timeout", "240");
            await AssertAllHealthyAsync(Compose, ["api", "cache", "web"]);
            Log($"docker compose down + up (volumes kept): healthy again in {clock.Elapsed.TotalSeconds:F1} s");
            await AssertPostSurvivedAsync(api, web, slug, title);

            // The data volumes belong to the images' non-root users.
            var owner = await Compose("exec", "-T", "api", "stat", "-c", "%u", "/app/data/blog.db");
            Assert.Equal("1654", owner.Output.Trim());
        }
        finally
        {
            var down = await ComposeAsync(directory, environment, ["down", "-v", "--remove-orphans"], check: false);
            Log($"docker compose down -v: exit {down.ExitCode}");
            var volumes = await DeploymentFiles.RunAsync("docker", ["volume", "ls", "-q", "--filter", $"label=com.docker.compose.project={project}"]);
            Assert.Equal("", volumes?.Output.Trim());
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>
    /// Two readers at two real addresses on the compose network sign in through the web (the published port would show
    /// both as Docker's gateway): the first exhausts the API's sign-in limit for its address, and the second still
    /// signs in at the first try, so the API counts the readers the web forwards, not the web. The second address is
    /// added to the network's bridge on this host for the test (needs root; skipped otherwise).
    /// </summary>
    private static async Task AssertOneClientsSignInLimitLeavesAnotherClientSigningInAsync(
        string project, Func<string[], Task<DeploymentFiles.CliResult>> compose, string adminUser, string adminPassword)
    {
        var network = $"{project}_frontend";
        var inspect = await DeploymentFiles.RunAsync("docker", ["network", "inspect", "-f", "{{.Id}} {{(index .IPAM.Config 0).Gateway}}", network]);
        Assert.True(inspect is { ExitCode: 0 }, inspect?.Error);
        var parts = inspect!.Output.Trim().Split(' ');
        var bridge = $"br-{parts[0][..12]}";
        var gateway = IPAddress.Parse(parts[1]).GetAddressBytes();
        var webId = (await compose(["ps", "-q", "web"])).Output.Trim();
        var webIp = (await DeploymentFiles.RunAsync("docker", ["inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}", webId]))!.Output.Trim();

        IPAddress Host(byte last) => new([gateway[0], gateway[1], gateway[2], last]);
        var (first, second) = (Host(250), Host(251));
        var added = new List<IPAddress>();
        try
        {
            foreach (var address in new[] { first, second })
            {
                var add = await DeploymentFiles.RunAsync("ip", ["addr", "add", $"{address}/32", "dev", bridge]);
                Assert.SkipWhen(add is not { ExitCode: 0 }, $"cannot add a client address to {bridge} (needs root and iproute2): {add?.Error}");
                added.Add(address);
            }

            var webUrl = new Uri($"http://{webIp}:8080");
            var refusedBeforeTheLimit = 0;
            for (var i = 0; i < 12; i++)
            {
                refusedBeforeTheLimit += await SignInThroughTheWebAsync(webUrl, first, $"nobody{i}", "wrong-password") ? 0 : 1;
            }

            Assert.Equal(12, refusedBeforeTheLimit);
            // The first reader's address is over the limit now: even the right password is refused to it...
            Assert.False(await SignInThroughTheWebAsync(webUrl, first, adminUser, adminPassword), "the first client is over its sign-in limit");
            // ...while another reader, through the same web replica, signs in at the first try.
            Assert.True(await SignInThroughTheWebAsync(webUrl, second, adminUser, adminPassword), "a second client signs in while the first is limited");
        }
        finally
        {
            foreach (var address in added)
            {
                await DeploymentFiles.RunAsync("ip", ["addr", "del", $"{address}/32", "dev", bridge]);
            }
        }
    }

    /// <summary>The web's sign-in form, as a browser at <paramref name="source"/> submits it; true when it signed in (auth cookie set).</summary>
    private static async Task<bool> SignInThroughTheWebAsync(Uri web, IPAddress source, string login, string password)
    {
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = new CookieContainer(),
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = web };
        var form = await client.GetStringAsync("/account/signin", s_ct);
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\"[^>]*?value=\"([^\"]+)\"");
        Assert.True(token.Success, "the sign-in form has an antiforgery token");
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Login"] = login,
            ["Input.Password"] = password,
        });
        var response = await client.PostAsync("/account/signin", content, s_ct);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.Found, $"sign-in answered {response.StatusCode}");
        return response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".Blog.Auth", StringComparison.Ordinal));
    }

    /// <summary>
    /// Redis as deployed: the default user cannot sign in; the web's user can neither write nor read the API's keys;
    /// every key is under an app's prefix; the web's Data Protection keys are stored encrypted.
    /// </summary>
    private static async Task AssertRedisUsersReachOnlyTheirOwnKeysAsync(Func<string[], Task<DeploymentFiles.CliResult>> compose)
    {
        Task<DeploymentFiles.CliResult> Cli(string user, string passwordVariable, string command) =>
            compose(["exec", "-T", "cache", "/bin/sh", "-c", $"redis-cli {user} -a \"${passwordVariable}\" --no-auth-warning {command} 2>&1 || true"]);

        Assert.DoesNotContain("PONG", (await Cli("", "REDIS_PASSWORD", "ping")).Output, StringComparison.Ordinal);
        Assert.Contains("NOPERM", (await Cli("--user web", "REDIS_WEB_PASSWORD", "set blog-api:forged 1")).Output, StringComparison.Ordinal);
        Assert.Contains("NOPERM", (await Cli("--user web", "REDIS_WEB_PASSWORD", "flushall")).Output, StringComparison.Ordinal);
        Assert.Contains("NOPERM", (await Cli("--user api", "REDIS_API_PASSWORD", "lrange blog-web:DataProtection-Keys 0 -1")).Output, StringComparison.Ordinal);
        Assert.Contains("OK", (await Cli("--user web", "REDIS_WEB_PASSWORD", "set blog-web:probe 1")).Output, StringComparison.Ordinal);

        var keys = (await Cli("--user admin", "REDIS_PASSWORD", "--scan")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(keys, k => k.StartsWith("blog-api:", StringComparison.Ordinal));
        Assert.Contains("blog-web:DataProtection-Keys", keys);
        Assert.All(keys, k => Assert.True(k.StartsWith("blog-api:", StringComparison.Ordinal) || k.StartsWith("blog-web:", StringComparison.Ordinal), k));

        var ring = (await Cli("--user admin", "REDIS_PASSWORD", "lrange blog-web:DataProtection-Keys 0 -1")).Output;
        Assert.Contains("EncryptedData", ring, StringComparison.Ordinal);
    }

    /// <summary>A reader signs up, the admin (password from .env) makes them an Author, they publish a post.</summary>
    private static async Task<(string Slug, string Title)> CreatePostAsync(HttpClient api, string adminUser, string adminPassword)
    {
        var username = $"writer{Guid.NewGuid():N}"[..20];
        const string password = "Deploy-Test-Passw0rd!";
        var registered = await api.PostAsJsonAsync("/api/auth/register",
            new { username, email = $"{username}@example.test", password, displayName = "Deploy Test" }, s_ct);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        var adminToken = await LoginAsync(api, adminUser, adminPassword);
        using var promote = new HttpRequestMessage(HttpMethod.Put, $"/api/users/{username}/role") { Content = JsonContent.Create(new { role = "Author" }) };
        promote.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(promote, s_ct)).StatusCode);

        var title = $"Deployed with compose {Guid.NewGuid():N}";
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/posts")
        {
            Content = JsonContent.Create(new { title, summary = "Survives restarts.", body = "Kept on the *api-data* volume.", tags = new[] { "deploy" }, publish = true }),
        };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await LoginAsync(api, username, password));
        var created = await api.SendAsync(create, s_ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var post = await created.Content.ReadFromJsonAsync<JsonElement>(s_ct);
        return (post.GetProperty("slug").GetString()!, title);
    }

    private static async Task<string> LoginAsync(HttpClient api, string login, string password)
    {
        var response = await api.PostAsJsonAsync("/api/auth/login", new { login, password }, s_ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(s_ct)).GetProperty("accessToken").GetString()!;
    }

    private static async Task AssertPostSurvivedAsync(HttpClient api, HttpClient web, string slug, string title)
    {
        var post = await api.GetAsync($"/api/posts/{slug}", s_ct);
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(title, (await post.Content.ReadFromJsonAsync<JsonElement>(s_ct)).GetProperty("title").GetString());
        Assert.Contains(title, await web.GetStringAsync("/", s_ct));
    }

    private static async Task AssertAllHealthyAsync(Func<string[], Task<DeploymentFiles.CliResult>> compose, string[] services)
    {
        var ps = await compose(["ps", "--format", "json"]);
        // Compose prints one JSON object per line (older versions: one array).
        var states = ps.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(line => line.TrimStart().StartsWith('[')
                ? JsonSerializer.Deserialize<JsonElement[]>(line)!
                : [JsonSerializer.Deserialize<JsonElement>(line)])
            .ToDictionary(s => s.GetProperty("Service").GetString()!, s => s.GetProperty("Health").GetString());
        Assert.Equal(services, states.Keys.Order());
        Assert.All(states, s => Assert.Equal("healthy", s.Value));
    }

    private static async Task<DeploymentFiles.CliResult> ComposeAsync(
        string directory, Dictionary<string, string> environment, string[] args, bool check = true)
    {
        var result = await DeploymentFiles.RunAsync("docker", ["compose", .. args], directory, environment, TimeSpan.FromMinutes(6));
        Assert.NotNull(result);
        if (check && result.ExitCode != 0)
        {
            var logs = await DeploymentFiles.RunAsync("docker", ["compose", "logs", "--no-color", "--tail", "40"], directory, environment);
            Assert.Fail($"docker compose {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}\n{logs?.Output}");
        }

        return result;
    }

    /// <summary>Null when this machine can run the deployment; otherwise what is missing.</summary>
    private static async Task<string?> MissingPrerequisiteAsync()
    {
        // The same runtime and image check as the AppHost's own (ContainerRuntimeProbe).
        if (await ContainerPrerequisites.MissingForAsync(RedisImage) is { } missing)
        {
            return missing;
        }

        if (await DeploymentFiles.RunAsync("docker", ["compose", "version"]) is not { ExitCode: 0 })
        {
            return "Docker Compose v2 is not installed";
        }

        using var registry = new HttpClient { BaseAddress = new Uri($"http://{Registry}"), Timeout = TimeSpan.FromSeconds(5) };
        foreach (var image in new[] { "blog-api", "blog-web" })
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{image}/manifests/{ImageTag}");
                request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
                request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
                if (!(await registry.SendAsync(request, s_ct)).IsSuccessStatusCode)
                {
                    return $"the image {Registry}/{image}:{ImageTag} is not in the local registry";
                }
            }
            catch (HttpRequestException)
            {
                return $"no container registry answers on {Registry}";
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Log(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);
}
