using Blog.Api.Bench;
using Blog.Api.Caching;
using Blog.Api.Http;
using Blog.Api.Posts;
using Blog.Api.Security;
using Blog.Api.Storage;
using Blog.Api.Users;

namespace Blog.Api;

internal static class ApplicationServiceExtensions
{
    /// <summary>Everything the API needs besides the service defaults: storage, output cache, security, validation, OpenAPI.</summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddBlogProblemDetails();
        builder.Services.AddValidation();
        builder.AddBlogStorage();
        builder.AddBlogOutputCache();
        builder.AddBlogSecurity();
        builder.AddBlogOpenApi();
        builder.Services.AddScoped<Authors>();
        builder.Services.AddSingleton<UserSessions>();
        builder.Services.AddScoped<PostAccess>();
        builder.Services.AddScoped<PostPublishing>();
        builder.AddBenchCeiling();
    }

    public static void UseBlogPipeline(this WebApplication app)
    {
        // First: everything after it (rate limits, logs) must see the reader's IP, not the proxy's.
        app.UseBlogForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBlogRequestLimits();
        app.UseBlogSecurity();
        app.UseOutputCache();
    }
}
