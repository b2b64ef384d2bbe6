using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Blog.AppHost.Infrastructure;

/// <summary>The user Redis health checks and operators sign in as, when the default user is switched off (<see cref="RedisAclExtensions"/>).</summary>
internal sealed record RedisAclAnnotation(string AdminUser) : IResourceAnnotation;

/// <summary>
/// Least privilege on the shared Redis: the default user is switched off and has no rights; an <c>admin</c> user holds
/// the container's password (<c>REDIS_PASSWORD</c>, the <c>{name}-password</c> parameter) for health checks and
/// operators; each app gets its own user and password, allowed only its own keys (<c>~blog-api:*</c>,
/// <c>~blog-web:*</c>), no pub/sub channels and no <c>@dangerous</c> command (FLUSHALL, KEYS, CONFIG, DEBUG, ...), so
/// the internet-facing web can neither read nor overwrite the output-cache entries the API serves to everyone. The
/// same users run under the AppHost and in the published compose and Kubernetes files.
/// </summary>
internal static class RedisAclExtensions
{
    public const string AdminUser = "admin";

    /// <summary>What every app user may run: everything but the server-wide and destructive commands, on its keys only.</summary>
    public const string AppCommandRules = "+@all -@dangerous";

    private const string RequirePass = "--requirepass $REDIS_PASSWORD";

    /// <summary>Replaces Aspire's <c>--requirepass $REDIS_PASSWORD</c> with the ACL users; keeps the rest (persistence).</summary>
    public static IResourceBuilder<RedisResource> WithAppUsers(this IResourceBuilder<RedisResource> redis, params RedisAppUser[] users)
    {
        var acl = new List<string> { "--user default reset", $"--user {AdminUser} on \">$REDIS_PASSWORD\" \"~*\" \"&*\" +@all" };
        foreach (var user in users)
        {
            var variable = $"REDIS_{user.Name.ToUpperInvariant()}_PASSWORD";
            redis.WithEnvironment(variable, user.Password);
            acl.Add($"--user {user.Name} on \">${variable}\" resetchannels \"~{user.KeyPrefix}*\" {AppCommandRules}");
        }

        redis.WithAnnotation(new RedisAclAnnotation(AdminUser));
        var replacement = string.Join(' ', acl);
        redis.WithArgs(context =>
        {
            // Aspire's own callback ran first. Publishing sees its shell command joined: ["-c", "redis-server --requirepass
            // $REDIS_PASSWORD ..."]; run mode sees the words, which Aspire joins into the /bin/sh -c command afterwards.
            var args = context.Args;
            var joined = args.ToList().FindIndex(a => a is string s && s.StartsWith("redis-server ", StringComparison.Ordinal));
            var words = args.ToList().FindIndex(a => a is "--requirepass");
            if (joined >= 0 && ((string)args[joined]).Contains(RequirePass, StringComparison.Ordinal))
            {
                args[joined] = ((string)args[joined]).Replace(RequirePass, replacement, StringComparison.Ordinal);
            }
            else if (words >= 0 && words + 1 < args.Count && args[words + 1] is "$REDIS_PASSWORD")
            {
                args.RemoveAt(words);
                args.RemoveAt(words);
                foreach (var word in replacement.Split(' ').Reverse())
                {
                    args.Insert(words, word);
                }
            }
            else
            {
                throw new InvalidOperationException(
                    $"'{redis.Resource.Name}': Aspire's Redis command line changed ({string.Join(" | ", args.Select(a => a is string text ? text : a.GetType().Name))}); cannot add the ACL users to it.");
            }
        });

        ReplaceHealthCheck(redis);
        return redis;
    }

    /// <summary>A connection string for one app's user: <c>host:port,user=api,password=...</c>.</summary>
    public static ReferenceExpression ConnectionStringFor(this IResourceBuilder<RedisResource> redis, RedisAppUser user) =>
        ReferenceExpression.Create($"{redis.Resource.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},user={user.Name},password={user.Password.Resource}");

    // Aspire's health check signs in as the default user, which no longer can: check as admin instead.
    private static void ReplaceHealthCheck(IResourceBuilder<RedisResource> redis)
    {
        var resource = redis.Resource;
        foreach (var check in resource.Annotations.OfType<HealthCheckAnnotation>().Where(a => a.Key == $"{resource.Name}_check").ToList())
        {
            resource.Annotations.Remove(check);
        }

        var key = $"{resource.Name}_admin_check";
        var expression = ReferenceExpression.Create(
            $"{resource.PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},user={AdminUser},password={resource.PasswordParameter!}");
        string? connectionString = null;
        redis.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            connectionString = await expression.GetValueAsync(ct).ConfigureAwait(false));
        redis.ApplicationBuilder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The address of '{resource.Name}' is not known yet."),
            name: key);
        redis.WithHealthCheck(key);
    }
}

/// <summary>An app's own Redis user: its name, its generated password and the prefix of the only keys it may use.</summary>
internal sealed record RedisAppUser(string Name, IResourceBuilder<ParameterResource> Password, string KeyPrefix);
