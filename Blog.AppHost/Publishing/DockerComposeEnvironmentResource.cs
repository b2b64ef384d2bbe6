// Stand-in for the official Aspire.Hosting.Docker package (AddDockerComposeEnvironment), which cannot be restored
// on our build machines. Same entry point and command (`aspire publish -o deploy`); the output fixes what users of the
// official publisher report: every secret in .env, .env never overwritten, health-gated depends_on, OTLP kept.

using Blog.AppHost.Publishing;

namespace Aspire.Hosting.Docker;

/// <summary>
/// A Docker Compose deployment target. Publishing writes <c>{output}/{name}/</c>: <c>docker-compose.yaml</c>,
/// <c>docker-compose.internal-ports.yaml</c> (optional: publish internal services' ports too), <c>.env</c> and
/// <c>.gitignore</c>. See docs/deployment.md.
/// </summary>
public sealed class DockerComposeEnvironmentResource(string name, string applicationName, string appHostDirectory)
    : DeploymentEnvironmentResource(name, applicationName, appHostDirectory)
{
    /// <summary>Offer an Aspire dashboard service (profile <c>dashboard</c>) that the .NET services can export OTLP to.</summary>
    public bool DashboardEnabled { get; set; } = true;

    private protected override string TargetName => "Docker Compose";

    private protected override string DeployHint(string output) => "docker compose up -d, in that folder";

    private protected override string RequiredKeyHint => "set it in .env before `docker compose up` (compose refuses to start without it).";

    private protected override PublishResult Write(DeploymentModel model, string output) => DockerComposeWriter.Write(model, this, output);
}
