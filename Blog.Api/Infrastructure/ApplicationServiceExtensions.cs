using Blog.Api.Posts;
using Blog.Api.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Blog.Api;

internal static class ApplicationServiceExtensions
{
    /// <summary>Everything the API needs besides the service defaults: storage, output cache, ProblemDetails.</summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.AddBlogStorage();
        builder.AddBlogOutputCache();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<Authors>();
    }

    public static void UseBlogPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseOutputCache();
    }
}
