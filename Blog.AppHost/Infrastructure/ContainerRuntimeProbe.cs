using System.Diagnostics;

namespace Blog.AppHost.Infrastructure;

/// <summary>
/// Answers, quickly and without pulling anything, whether a container can really start here: is a container runtime
/// running, is an image present locally, is a registry reachable. Used only in run mode with <c>auto</c> choices.
/// </summary>
public sealed class ContainerRuntimeProbe
{
    private static readonly TimeSpan s_commandTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_registryTimeout = TimeSpan.FromSeconds(3);

    private readonly Lazy<Task<string?>> _runtime;
    private readonly Lazy<Task<bool>> _registry;

    public ContainerRuntimeProbe(string? preferredRuntime)
    {
        _runtime = new(() => FindHealthyRuntimeAsync(preferredRuntime));
        _registry = new(ProbeRegistryAsync);
    }

    /// <summary>The runtime executable (<c>docker</c> or <c>podman</c>) whose engine answers, or null.</summary>
    public Task<string?> GetHealthyRuntimeAsync() => _runtime.Value;

    public Task<bool> IsRegistryReachableAsync() => _registry.Value;

    public async Task<bool> IsImagePresentAsync(string image)
    {
        var runtime = await GetHealthyRuntimeAsync().ConfigureAwait(false);
        return runtime is not null && await RunAsync(runtime, "image", "inspect", "--format", "{{.Id}}", image).ConfigureAwait(false);
    }

    private static async Task<string?> FindHealthyRuntimeAsync(string? preferred)
    {
        string[] candidates = string.IsNullOrWhiteSpace(preferred) ? ["docker", "podman"] : [preferred];
        foreach (var runtime in candidates)
        {
            if (await RunAsync(runtime, "info", "--format", "{{.ServerVersion}}").ConfigureAwait(false))
            {
                return runtime;
            }
        }

        return null;
    }

    private static async Task<bool> ProbeRegistryAsync()
    {
        // Any HTTP answer from Docker Hub's registry endpoint (401 is the normal one) means images can be pulled.
        using var http = new HttpClient { Timeout = s_registryTimeout };
        try
        {
            using var response = await http.GetAsync("https://registry-1.docker.io/v2/").ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> RunAsync(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        try
        {
            using var process = Process.Start(startInfo);
            if (process is null)
            {
                return false;
            }

            using var timeout = new CancellationTokenSource(s_commandTimeout);
            var drainOut = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var drainErr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                await Task.WhenAll(drainOut, drainErr).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
