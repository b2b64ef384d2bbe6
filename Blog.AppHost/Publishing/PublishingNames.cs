// Part of our stand-ins for Aspire.Hosting.Docker / Aspire.Hosting.Kubernetes (see DeploymentModel.cs).

// Reads the publish pipeline's options (experimental in Aspire 13.6).
#pragma warning disable ASPIREPIPELINES001

using System.Text.RegularExpressions;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Blog.AppHost.Publishing;

internal static class PublishingNames
{
    /// <summary>The folder name used when no output path is given, like the official publishers' default.</summary>
    public const string DefaultOutputFolder = "aspire-output";

    /// <summary><c>{--output-path}/{environment}</c>; without an output path <c>{AppHost directory}/aspire-output/{environment}</c>.</summary>
    public static string OutputDirectory(PipelineStepContext context, string appHostDirectory, string environment)
    {
        var configured = context.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.OutputPath;
        var root = string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(appHostDirectory, DefaultOutputFolder)
            : Path.GetFullPath(configured);
        return Path.Combine(root, environment);
    }

    /// <summary>The application's short name: the AppHost's name without <c>.AppHost</c>, lower case (Blog.AppHost -> blog).</summary>
    public static string ApplicationName(IDistributedApplicationBuilder builder)
    {
        var name = builder.Environment.ApplicationName;
        if (name.EndsWith(".AppHost", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^".AppHost".Length];
        }

        name = Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9-]+", "-").Trim('-');
        return name.Length > 0 ? name : "app";
    }
}
