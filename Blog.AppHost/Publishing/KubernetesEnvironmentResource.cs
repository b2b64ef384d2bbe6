// Stand-in for the official Aspire.Hosting.Kubernetes package (AddKubernetesEnvironment), which cannot be restored on
// our build machines. Same entry point and command (`aspire publish -o deploy`), but it writes plain manifests with a
// kustomization.yaml (kubectl apply -k) instead of a Helm chart: Helm is not available here, kubectl is.

using Blog.AppHost.Publishing;

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
public sealed class KubernetesEnvironmentResource(string name, string applicationName, string appHostDirectory)
    : DeploymentEnvironmentResource(name, applicationName, appHostDirectory)
{
    public KubernetesExposure Exposure { get; set; } = KubernetesExposure.Ingress;

    /// <summary>Host name the Ingress answers for; null answers for any host.</summary>
    public string? IngressHost { get; set; }

    /// <summary>Ingress class; null uses the cluster's default class.</summary>
    public string? IngressClassName { get; set; }

    /// <summary>Replicas of each stateless .NET service. Services with a data volume run one replica.</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>Size requested by each PersistentVolumeClaim.</summary>
    public string StorageSize { get; set; } = "1Gi";

    private protected override string TargetName => "Kubernetes";

    private protected override string DeployHint(string output) => $"kubectl apply -k {output}";

    private protected override string RequiredKeyHint => "set it in secrets.env/parameters.env before `kubectl apply -k`.";

    private protected override PublishResult Write(DeploymentModel model, string output) => KubernetesWriter.Write(model, this, output);
}
