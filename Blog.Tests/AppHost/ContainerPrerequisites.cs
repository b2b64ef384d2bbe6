using Blog.AppHost.Infrastructure;

namespace Blog.Tests.AppHost;

/// <summary>What a container test needs that this machine may lack, said the way a developer would fix it.</summary>
internal static class ContainerPrerequisites
{
    private static readonly ContainerRuntimeProbe s_probe = new(Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME"));

    /// <summary>Null when a container from <paramref name="image"/> can start here; otherwise what is missing.</summary>
    public static async Task<string?> MissingForAsync(string image)
    {
        if (await s_probe.GetHealthyRuntimeAsync() is null)
        {
            return "no container runtime is running (docker info failed)";
        }

        if (await s_probe.IsImagePresentAsync(image) || await s_probe.IsRegistryReachableAsync())
        {
            return null;
        }

        return $"the image {image} is not present locally and no container registry is reachable to pull it";
    }
}
