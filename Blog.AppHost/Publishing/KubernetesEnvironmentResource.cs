// Stand-in for the official Aspire.Hosting.Kubernetes package (AddKubernetesEnvironment), which cannot be restored on
// our build machines. Same entry point and command (`aspire publish -o deploy`), but it writes plain manifests with a
// kustomization.yaml (kubectl apply -k) instead of a Helm chart: Helm is not available here, kubectl is.

// The publish pipeline (PipelineStep, WellKnownPipelineSteps) is experimental in Aspire 13.6.
#pragma warning disable ASPIREPIPELINES001

using Aspire.Hosting.Pipelines;
using Blog.AppHost.Publishing;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Kubernetes;

/// <summary>How the services with external endpoints (the web) are reached from outside the cluster.</summary>
public enum KubernetesExposure
{
    /// <summary>An <c>Ingress</c> (the cluster's default ingress class unless one is named), Service of type ClusterIP.</summary>
    Ingress,

    /// <summary>A Service of type <c>LoadBalancer</c> on port 80.</summary>
    LoadBalancer,
}

/// <summary>
/// A Kubernetes deployment target. Publishing writes <c>{output}/{name}/</c>: one manifest file per service,
/// <c>kustomization.yaml</c>, <c>secrets.env</c> (git-ignored, generated once) and <c>parameters.env</c>. See docs/deployment.md.
/// </summary>
public sealed class KubernetesEnvironmentResource : Resource
{
    public KubernetesEnvironmentResource(string name, string applicationName, string appHostDirectory) : base(name)
    {
        ApplicationName = applicationName;
        AppHostDirectory = appHostDirectory;
        Annotations.Add(new PipelineStepAnnotation(_ =>
        {
            var step = new PipelineStep
            {
                Name = $"publish-{Name}",
                Description = $"Writes the Kubernetes manifests and kustomization of '{Name}'.",
                Action = PublishAsync,
                Resource = this,
            };
            step.DependsOn(WellKnownPipelineSteps.PublishPrereq);
            step.RequiredBy(WellKnownPipelineSteps.Publish);
            return step;
        }));
    }

    /// <summary>The <c>app.kubernetes.io/part-of</c> label and the prefix of the generated Secret and ConfigMap.</summary>
    public string ApplicationName { get; set; }

    public KubernetesExposure Exposure { get; set; } = KubernetesExposure.Ingress;

    /// <summary>Host name the Ingress answers for; null answers for any host.</summary>
    public string? IngressHost { get; set; }

    /// <summary>Ingress class; null uses the cluster's default class.</summary>
    public string? IngressClassName { get; set; }

    /// <summary>Replicas of each stateless .NET service. Services with a data volume run one replica.</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>Size requested by each PersistentVolumeClaim.</summary>
    public string StorageSize { get; set; } = "1Gi";

    internal string AppHostDirectory { get; }

    private async Task PublishAsync(PipelineStepContext context)
    {
        var output = PublishingNames.OutputDirectory(context, AppHostDirectory, Name);
        var model = await DeploymentModel.ReadAsync(context.Model, context.ExecutionContext, ApplicationName, context.Logger, context.CancellationToken)
            .ConfigureAwait(false);
        var result = KubernetesWriter.Write(model, this, output);
        foreach (var key in result.AddedKeys)
        {
            context.Logger.LogInformation("{Environment}: added {Key}", Name, key);
        }

        foreach (var key in result.RequiredKeys)
        {
            context.Logger.LogWarning("{Environment}: {Key} has no value in secrets.env/parameters.env; set it before `kubectl apply -k`.", Name, key);
        }

        context.Logger.LogInformation("{Environment}: wrote {Output} (kubectl apply -k {Output})", Name, output, output);
        context.Summary.Add($"Kubernetes ({Name})", output);
    }
}
