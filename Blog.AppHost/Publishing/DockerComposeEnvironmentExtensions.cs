// Stand-in for the official Aspire.Hosting.Docker package (see DockerComposeEnvironmentResource.cs).

using Aspire.Hosting.Docker;
using Blog.AppHost.Publishing;

namespace Aspire.Hosting;

public static class DockerComposeEnvironmentExtensions
{
    /// <summary>
    /// Adds a Docker Compose deployment target: <c>aspire publish -o deploy</c> (or the AppHost run with
    /// <c>--operation publish --step publish --output-path deploy</c>) writes <c>deploy/{name}/docker-compose.yaml</c> and
    /// <c>.env</c> from the application model. Not part of the model in run mode.
    /// </summary>
    public static IResourceBuilder<DockerComposeEnvironmentResource> AddDockerComposeEnvironment(
        this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);

        var resource = new DockerComposeEnvironmentResource(name, PublishingNames.ApplicationName(builder), builder.AppHostDirectory);
        return builder.ExecutionContext.IsPublishMode
            ? builder.AddResource(resource).ExcludeFromManifest()
            : builder.CreateResourceBuilder(resource);
    }

    /// <summary>Whether to offer the Aspire dashboard as an opt-in service (compose profile <c>dashboard</c>). On by default.</summary>
    public static IResourceBuilder<DockerComposeEnvironmentResource> WithDashboard(
        this IResourceBuilder<DockerComposeEnvironmentResource> builder, bool enabled = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Resource.DashboardEnabled = enabled;
        return builder;
    }
}
