// Stand-in for the official Aspire.Hosting.Kubernetes package (see KubernetesEnvironmentResource.cs).

using System.Globalization;
using Aspire.Hosting.Kubernetes;
using Blog.AppHost.Publishing;

namespace Aspire.Hosting;

public static class KubernetesEnvironmentExtensions
{
    /// <summary>
    /// Adds a Kubernetes deployment target: <c>aspire publish -o deploy</c> writes <c>deploy/{name}/</c>, manifests and a
    /// <c>kustomization.yaml</c> for <c>kubectl apply -k</c>. Defaults can be set in configuration under
    /// <c>Publishing:{name}</c>: <c>Exposure</c> (Ingress | LoadBalancer), <c>IngressHost</c>, <c>IngressClassName</c>,
    /// <c>Replicas</c>, <c>StorageSize</c>. Not part of the model in run mode.
    /// </summary>
    public static IResourceBuilder<KubernetesEnvironmentResource> AddKubernetesEnvironment(
        this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var resource = new KubernetesEnvironmentResource(name, PublishingNames.ApplicationName(builder), builder.AppHostDirectory);
        var section = builder.Configuration.GetSection($"Publishing:{name}");
        if (section["Exposure"] is { Length: > 0 } exposure)
        {
            resource.Exposure = Enum.TryParse<KubernetesExposure>(exposure, ignoreCase: true, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"Publishing:{name}:Exposure is '{exposure}'; it must be Ingress or LoadBalancer.");
        }

        resource.IngressHost = section["IngressHost"] is { Length: > 0 } host ? host : null;
        resource.IngressClassName = section["IngressClassName"] is { Length: > 0 } className ? className : null;
        if (section["Replicas"] is { Length: > 0 } replicas)
        {
            resource.Replicas = int.TryParse(replicas, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
                ? count
                : throw new InvalidOperationException($"Publishing:{name}:Replicas is '{replicas}'; it must be a positive number.");
        }

        if (section["StorageSize"] is { Length: > 0 } size)
        {
            resource.StorageSize = size;
        }

        return builder.ExecutionContext.IsPublishMode
            ? builder.AddResource(resource).ExcludeFromManifest()
            : builder.CreateResourceBuilder(resource);
    }

    /// <summary>Reach the services with external endpoints through an Ingress (optionally for one host / class).</summary>
    public static IResourceBuilder<KubernetesEnvironmentResource> WithIngress(
        this IResourceBuilder<KubernetesEnvironmentResource> builder, string? host = null, string? ingressClassName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.Exposure = KubernetesExposure.Ingress;
        builder.Resource.IngressHost = host ?? builder.Resource.IngressHost;
        builder.Resource.IngressClassName = ingressClassName ?? builder.Resource.IngressClassName;
        return builder;
    }

    /// <summary>Reach the services with external endpoints through a Service of type LoadBalancer.</summary>
    public static IResourceBuilder<KubernetesEnvironmentResource> WithLoadBalancer(this IResourceBuilder<KubernetesEnvironmentResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.Exposure = KubernetesExposure.LoadBalancer;
        return builder;
    }
}
