using Blog.Api.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Blog.Api;

/// <summary>Account lockout after repeated failed sign-ins, bound from <c>Lockout</c>.</summary>
public sealed class LockoutOptions
{
    public const string SectionName = "Lockout";

    /// <summary>Failed sign-ins in a row that lock the account.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(5);
}

internal static class SecurityExtensions
{
    /// <summary>
    /// JWT bearer authentication with the API's own HS256 tokens, the named <see cref="Policies"/>, <see cref="CurrentUser"/>,
    /// rate limiting (<see cref="RateLimitPolicies"/>), forwarded headers, request limits, password hashing and the
    /// admin bootstrap. Options are validated at start-up: the API refuses to start with a weak or missing key
    /// outside Development.
    /// </summary>
    public static void AddBlogSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddHttpContextAccessor();

        services.AddOptions<JwtOptions>().Bind(builder.Configuration.GetSection(JwtOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddOptions<LockoutOptions>().Bind(builder.Configuration.GetSection(LockoutOptions.SectionName))
            .Validate(o => o.MaxFailedAttempts > 0 && o.Duration > TimeSpan.Zero, "Lockout: MaxFailedAttempts and Duration must be positive.")
            .ValidateOnStart();

        services.AddSingleton<JwtSigningKey>();
        services.AddSingleton<UserStatusCache>();
        services.AddScoped<TokenService>();
        services.AddScoped<CurrentUser>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();

        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddAuthorizationBuilder().AddBlogPolicies();

        builder.AddBlogRateLimiting();
        builder.AddBlogForwardedHeaders();
        builder.AddBlogRequestLimits();
        builder.AddAdminBootstrap();
    }

    /// <summary>Authentication, authorization and rate limiting, in that order (the write limit is per user).</summary>
    public static void UseBlogSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
    }
}
