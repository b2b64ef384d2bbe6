using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Blog.Api.Storage.LiteDB;

/// <summary>A cheap read (one primary-key lookup) proving the embedded file can be read.</summary>
internal sealed class LiteDbHealthCheck(LiteDbContext context) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext healthContext, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = context.Users.FindById("health-check-probe");
            return Task.FromResult(HealthCheckResult.Healthy());
        }
#pragma warning disable CA1031 // Any failure to read is what this check reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromResult(new HealthCheckResult(healthContext.Registration.FailureStatus, "The embedded database cannot be read.", ex));
        }
    }
}
