// Stand-in for the official Aspire.Hosting.Docker package (AddDockerComposeEnvironment), which cannot be restored
// on our build machines. Same entry point and command (`aspire publish -o deploy`); the output fixes what users of the
// official publisher report: every secret in .env, .env never overwritten, health-gated depends_on, OTLP kept.

// The publish pipeline (PipelineStep, WellKnownPipelineSteps) is experimental in Aspire 13.6.
#pragma warning disable ASPIREPIPELINES001

using Aspire.Hosting.Pipelines;
using Blog.AppHost.Publishing;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Docker;

/// <summary>
/// A Docker Compose deployment target. Publishing writes <c>{output}/{name}/</c>: <c>docker-compose.yaml</c>,
/// <c>docker-compose.internal-ports.yaml</c> (optional: publish internal services' ports too), <c>.env</c> and
/// <c>.gitignore</c>. See docs/deployment.md.
/// </summary>
public sealed class DockerComposeEnvironmentResource : Resource
{
    public DockerComposeEnvironmentResource(string name, string applicationName, string appHostDirectory) : base(name)
    {
        ApplicationName = applicationName;
        AppHostDirectory = appHostDirectory;
        Annotations.Add(new PipelineStepAnnotation(_ =>
        {
            var step = new PipelineStep
            {
                Name = $"publish-{Name}",
                Description = $"Writes the Docker Compose files of '{Name}'.",
                Action = PublishAsync,
                Resource = this,
            };
            step.DependsOn(WellKnownPipelineSteps.PublishPrereq);
            step.RequiredBy(WellKnownPipelineSteps.Publish);
            return step;
        }));
    }

    /// <summary>Compose project name (top-level <c>name:</c>); <c>docker compose -p</c> overrides it.</summary>
    public string ApplicationName { get; set; }

    internal string AppHostDirectory { get; }

    /// <summary>Offer an Aspire dashboard service (profile <c>dashboard</c>) that the .NET services can export OTLP to.</summary>
    public bool DashboardEnabled { get; set; } = true;

    private async Task PublishAsync(PipelineStepContext context)
    {
        var output = PublishingNames.OutputDirectory(context, AppHostDirectory, Name);
        var model = await DeploymentModel.ReadAsync(context.Model, context.ExecutionContext, ApplicationName, context.Logger, context.CancellationToken)
            .ConfigureAwait(false);
        var result = DockerComposeWriter.Write(model, this, output);
        foreach (var key in result.AddedKeys)
        {
            context.Logger.LogInformation("{Environment}: .env: added {Key}", Name, key);
        }

        foreach (var key in result.RequiredKeys)
        {
            context.Logger.LogWarning("{Environment}: .env: {Key} has no value; set it before `docker compose up` (compose refuses to start without it).", Name, key);
        }

        context.Logger.LogInformation("{Environment}: wrote {Output} (docker compose up -d, in that folder)", Name, output);
        context.Summary.Add($"Docker Compose ({Name})", output);
    }
}
