using Blog.Api.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Blog.Api.Security;

/// <summary>The first Admin, bound from <c>Admin</c>; the AppHost passes <c>Admin__Username</c>, <c>Admin__Email</c>, <c>Admin__Password</c>.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    public string Username { get; set; } = "admin";

    public string? Email { get; set; }

    public string? Password { get; set; }
}

internal static class AdminBootstrapExtensions
{
    public static void AddAdminBootstrap(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().Bind(builder.Configuration.GetSection(AdminOptions.SectionName));
        builder.Services.AddHostedService<AdminBootstrap>();
    }
}

/// <summary>
/// Creates the configured Admin at start-up when no user has that username. This is the only way an Admin comes
/// into being without another Admin: registration always makes Readers. Idempotent across restarts and replicas: an
/// existing user (whatever its role) is left alone, and a replica that loses the creation race sees a duplicate key.
/// Runs before the server accepts requests (hosted services start in order, after the store's initializer).
/// </summary>
internal sealed partial class AdminBootstrap(
    IServiceScopeFactory scopes,
    IOptions<AdminOptions> options,
    IPasswordHasher<User> hasher,
    TimeProvider time,
    ILogger<AdminBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var admin = options.Value;
        if (string.IsNullOrWhiteSpace(admin.Username) || string.IsNullOrWhiteSpace(admin.Email) || string.IsNullOrEmpty(admin.Password))
        {
            LogNotConfigured(logger);
            return;
        }

        if (admin.Password.Length < Auth.AuthRules.MinPasswordLength)
        {
            LogWeakPassword(logger, Auth.AuthRules.MinPasswordLength);
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        // The same rules as every other path that sets a password.
        if (scope.ServiceProvider.GetRequiredService<Auth.PasswordPolicy>().Check(admin.Password, admin.Username, admin.Email) is { } reason)
        {
            LogRefusedPassword(logger, reason);
            return;
        }

        var users = scope.ServiceProvider.GetRequiredService<IUserStore>();
        if (await users.FindByUsernameAsync(admin.Username, cancellationToken) is not null)
        {
            return;
        }

        var user = new User
        {
            Id = Guid.NewGuid().ToString("N"),
            Username = admin.Username,
            NormalizedUsername = admin.Username.ToLowerInvariant(),
            Email = admin.Email,
            NormalizedEmail = admin.Email.ToLowerInvariant(),
            DisplayName = admin.Username,
            Role = Roles.Admin,
            PasswordHash = "",
            CreatedAt = time.GetUtcNowForStorage(),
        };
        user.PasswordHash = hasher.HashPassword(user, admin.Password);

        try
        {
            await users.CreateAsync(user, cancellationToken);
            LogCreated(logger, admin.Username);
        }
        catch (DuplicateKeyException ex)
        {
            // Another replica won the race, or the email belongs to someone else.
            LogDuplicate(logger, admin.Username, ex.Field);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "Admin:Username, Admin:Email or Admin:Password is not set: no Admin account is bootstrapped.")]
    private static partial void LogNotConfigured(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Admin:Password is shorter than {MinLength} characters: no Admin account is bootstrapped.")]
    private static partial void LogWeakPassword(ILogger logger, int minLength);

    [LoggerMessage(LogLevel.Warning, "Admin:Password is refused by the password policy ({Reason}): no Admin account is bootstrapped.")]
    private static partial void LogRefusedPassword(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Information, "Bootstrapped the Admin account {Username}.")]
    private static partial void LogCreated(ILogger logger, string username);

    [LoggerMessage(LogLevel.Information, "Admin bootstrap for {Username} skipped: the {Field} is already taken.")]
    private static partial void LogDuplicate(ILogger logger, string username, string field);
}
