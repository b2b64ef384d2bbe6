namespace Blog.Api.Storage;

/// <summary>
/// Runs <see cref="IStoreInitializer"/> (indexes) when the host starts. Hosted services start before Kestrel accepts
/// requests, so no request ever meets a store without its unique indexes; a store that cannot initialise stops the start.
/// </summary>
internal sealed partial class StorageInitializerService(
    IStoreInitializer initializer, StorageInfo info, ILogger<StorageInitializerService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        LogStorage(info.Kind, info.Description);
        await initializer.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage: {Kind}, {Description}")]
    private partial void LogStorage(string kind, string description);
}

/// <summary>
/// Deletes expired refresh tokens and sign-in counters periodically. The embedded store relies on it; on MongoDB the TTL
/// indexes do the same and this only finds nothing left to delete.
/// </summary>
internal sealed partial class ExpiredRefreshTokenSweeper(
    IRefreshTokenStore tokens,
    ISignInAttemptStore signInAttempts,
    TimeProvider time,
    IConfiguration configuration,
    ILogger<ExpiredRefreshTokenSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Blog:Storage:ExpiredTokenSweepInterval", TimeSpan.FromMinutes(15));
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                var now = time.GetUtcNow().UtcDateTime;
                var deleted = await tokens.DeleteExpiredAsync(now, stoppingToken).ConfigureAwait(false);
                await signInAttempts.DeleteExpiredAsync(now, stoppingToken).ConfigureAwait(false);
                if (deleted > 0)
                {
                    LogDeleted(deleted);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sweep is retried at the next tick; it must never stop the host.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} expired refresh tokens")]
    private partial void LogDeleted(long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting expired refresh tokens failed; retrying at the next interval")]
    private partial void LogFailed(Exception exception);
}
