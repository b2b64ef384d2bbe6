using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace Blog.Tests.Deployment;

/// <summary>
/// Runs the AppHost's publish pipeline in-process, as <c>aspire publish -o DIR</c> does
/// (<c>--operation publish --step publish --output-path DIR</c>): no container runtime, nothing started, about 4 s.
/// </summary>
internal static class Publisher
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    public static string NewOutputDirectory() => Directory.CreateTempSubdirectory("blog-publish-").FullName;

    /// <summary>Publishes into <paramref name="output"/>/compose and <paramref name="output"/>/k8s. Extra args are AppHost configuration.</summary>
    public static async Task PublishAsync(string output, params string[] args)
    {
        var ct = TestContext.Current.CancellationToken;
        // --clear-cache: Aspire's own deployment state (parameter values under ~/.aspire) is neither read nor written.
        string[] all = ["--operation", "publish", "--step", "publish", "--output-path", output, "--clear-cache", "true",
            "--Logging:LogLevel:Default=Warning", .. args];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Blog_AppHost>(all, ct);
        await using var app = await builder.BuildAsync(ct);
        await app.RunAsync(ct).WaitAsync(s_timeout, ct);
    }
}

/// <summary>
/// The AppHost published once per infrastructure choice, shared by the structural tests (they only read the files).
/// <see cref="Containers"/>: the default (MongoDB and Redis containers); <see cref="Embedded"/>: embedded store + Redis.
/// </summary>
public sealed class PublishedDeployments : IAsyncLifetime
{
    public string Containers { get; } = Publisher.NewOutputDirectory();

    public string Embedded { get; } = Publisher.NewOutputDirectory();

    public async ValueTask InitializeAsync()
    {
        await Publisher.PublishAsync(Containers);
        await Publisher.PublishAsync(Embedded, "--Blog:Database=embedded");
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Containers, recursive: true);
        Directory.Delete(Embedded, recursive: true);
        return ValueTask.CompletedTask;
    }
}
