using Blog.Api.Storage;

namespace Blog.Api;

internal static class ApplicationServiceExtensions
{
    /// <summary>Everything the API needs besides the service defaults: storage, output cache, ProblemDetails.</summary>
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.AddBlogStorage();
        builder.AddBlogOutputCache();
    }

    public static void UseBlogPipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseOutputCache();
    }
}
