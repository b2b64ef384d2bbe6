// Part of our stand-ins for Aspire.Hosting.Docker / Aspire.Hosting.Kubernetes (see DeploymentModel.cs).

using Blog.AppHost.Hosting.MongoDB;

namespace Blog.AppHost.Publishing;

/// <summary>
/// Health checks that really run inside each image. The AppHost's own health checks run in the AppHost process,
/// so a deployment needs its own: the .NET services probe themselves (<c>--healthcheck</c>, Blog.ServiceDefaults/HealthProbe.cs;
/// the ASP.NET base image has no curl or wget), the databases use their own clients.
/// </summary>
internal static class ServiceProbes
{
    /// <summary>Argument of Blog.ServiceDefaults' HealthProbe: <c>dotnet /app/App.dll --healthcheck URL</c> does one GET and exits 0/1.</summary>
    public const string HealthCheckArgument = "--healthcheck";

    public const string ReadinessPath = "/health";
    public const string LivenessPath = "/alive";

    /// <summary>uid of the <c>redis</c> and <c>mongodb</c> users in the official images (Kubernetes runs them as that user).</summary>
    private const long DatabaseImageUser = 999;

    public static ServiceProbe? For(IResource resource) => resource switch
    {
        ProjectResource project => new ServiceProbe(
            ["dotnet", $"/app/{Path.GetFileNameWithoutExtension(project.GetProjectMetadata().ProjectPath)}.dll", HealthCheckArgument,
             $"http://localhost:{DeploymentModel.ProjectHttpPort}{ReadinessPath}"],
            ReadinessPath, LivenessPath, StartPeriodSeconds: 30),
        // With ACL users (RedisAclExtensions) the default user is off: the probe signs in as the admin user.
        RedisResource when resource.TryGetLastAnnotation<Infrastructure.RedisAclAnnotation>(out var acl) => new ServiceProbe(
            ["/bin/sh", "-c", $"redis-cli --user {acl.AdminUser} -a \"$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"], StartPeriodSeconds: 10),
        // Aspire starts Redis with --requirepass $REDIS_PASSWORD; the probe authenticates the same way.
        RedisResource => new ServiceProbe(
            ["/bin/sh", "-c", "redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"], StartPeriodSeconds: 10),
        // Signs in (as the API's user where there is one) on the container's host name: never true against the
        // image's init-time server, which runs without authentication on 127.0.0.1 only (Hosting/MongoDB/MongoDBApplicationUser.cs).
        // Kubernetes: startup only; readiness over TCP, so a slow mongosh can never drop the name from the headless Service's DNS.
        MongoDBServerResource mongo => new ServiceProbe(
            ["/bin/bash", "-c", mongo.HasAnnotationOfType<MongoDBApplicationUserAnnotation>() ? MongoDBApplicationUser.ProbeScript : MongoDBApplicationUser.RootProbeScript],
            StartPeriodSeconds: 40, ReadinessOverTcp: true),
        _ => null,
    };

    public static long? KnownUser(IResource resource) =>
        resource is RedisResource or MongoDBServerResource ? DatabaseImageUser : null;
}
