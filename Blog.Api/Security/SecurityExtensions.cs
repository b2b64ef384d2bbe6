using Blog.Api.Auth;
using Blog.Api.Http;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Blog.Api.Security;

internal static class SecurityExtensions
{
    /// <summary>
    /// JWT bearer authentication with the API's own HS256 tokens, the named <see cref="Policies"/>, <see cref="CurrentUser"/>,
    /// rate limiting (<see cref="RateLimitPolicies"/>), the sign-in throttle (<see cref="SignInGuard"/>), the password policy,
    /// forwarded headers, request limits, password hashing and the admin bootstrap. Options are validated at start-up:
    /// the API refuses to start with a weak or missing key outside Development.
    /// </summary>
    public static void AddBlogSecurity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddHttpContextAccessor();

        services.AddOptions<JwtOptions>().Bind(builder.Configuration.GetSection(JwtOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddOptions<SignInThrottleOptions>().Bind(builder.Configuration.GetSection(SignInThrottleOptions.SectionName))
            .Validate(o => o.Window > TimeSpan.Zero && o.MaxAttemptsPerWindow > 0 && o.MaxDeviceAttemptsPerWindow > 0 && o.DeviceTokenLifetime > TimeSpan.Zero,
                "SignIn: Window, MaxAttemptsPerWindow, MaxDeviceAttemptsPerWindow and DeviceTokenLifetime must be positive.")
            .ValidateOnStart();
        services.AddOptions<PasswordPolicyOptions>().Bind(builder.Configuration.GetSection(PasswordPolicyOptions.SectionName));

        services.AddSingleton<JwtSigningKey>();
        services.AddSingleton<UserStatusCache>();
        services.AddScoped<TokenService>();
        services.AddScoped<CurrentUser>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<PasswordPolicy>();
        services.AddSingleton<DeviceTokens>();
        services.AddSingleton<SignInGuard>();

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
