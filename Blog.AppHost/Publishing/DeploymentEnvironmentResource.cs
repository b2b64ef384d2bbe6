// Shared by our stand-ins for Aspire.Hosting.Docker and Aspire.Hosting.Kubernetes (see DeploymentModel.cs).

// The publish pipeline (PipelineStep, WellKnownPipelineSteps) is experimental in Aspire 13.6.
#pragma warning disable ASPIREPIPELINES001

using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Logging;

namespace Blog.AppHost.Publishing;

/// <summary>
/// A deployment target in the application model. It adds a <c>publish-{name}</c> step to Aspire's publish pipeline
/// that reads the model into a <see cref="DeploymentModel"/> and hands it to the target's writer.
/// </summary>
public abstract class DeploymentEnvironmentResource : Resource
{
    private protected DeploymentEnvironmentResource(string name, string applicationName, string appHostDirectory) : base(name)
    {
        ApplicationName = applicationName;
        AppHostDirectory = appHostDirectory;
        Annotations.Add(new PipelineStepAnnotation(_ =>
        {
            var step = new PipelineStep
            {
                Name = $"publish-{Name}",
                Description = $"Writes the {TargetName} files of '{Name}'.",
                Action = PublishAsync,
                Resource = this,
            };
            step.DependsOn(WellKnownPipelineSteps.PublishPrereq);
            step.RequiredBy(WellKnownPipelineSteps.Publish);
            return step;
        }));
    }

    /// <summary>The project name: compose's top-level <c>name:</c>, Kubernetes' <c>app.kubernetes.io/part-of</c> label.</summary>
    public string ApplicationName { get; set; }

    internal string AppHostDirectory { get; }

    /// <summary>"Docker Compose", "Kubernetes": for log lines and the publish summary.</summary>
    private protected abstract string TargetName { get; }

    /// <summary>The command that deploys what was written, shown after publishing.</summary>
    private protected abstract string DeployHint(string output);

    /// <summary>Where a required value without a default has to be filled in.</summary>
    private protected abstract string RequiredKeyHint { get; }

    private protected abstract PublishResult Write(DeploymentModel model, string output);

    private async Task PublishAsync(PipelineStepContext context)
    {
        var output = PublishingNames.OutputDirectory(context, AppHostDirectory, Name);
        var model = await DeploymentModel.ReadAsync(context.Model, context.ExecutionContext, ApplicationName, context.Logger, context.CancellationToken)
            .ConfigureAwait(false);
        var result = Write(model, output);
        foreach (var key in result.AddedKeys)
        {
            context.Logger.LogInformation("{Environment}: added {Key}", Name, key);
        }

        foreach (var key in result.RequiredKeys)
        {
            context.Logger.LogWarning("{Environment}: {Key} has no value; {Hint}", Name, key, RequiredKeyHint);
        }

        context.Logger.LogInformation("{Environment}: wrote {Output} ({Hint})", Name, output, DeployHint(output));
        context.Summary.Add($"{TargetName} ({Name})", output);
    }
}
