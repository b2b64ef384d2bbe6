using System.Diagnostics.CodeAnalysis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A health probe that runs inside the app's own container image, which (like the official ASP.NET base image)
/// has no curl or wget: <c>dotnet /app/Blog.Api.dll --healthcheck http://localhost:8080/health</c> does one HTTP GET
/// and exits 0 when the answer is a success status, 1 otherwise. Docker Compose health checks use it.
/// </summary>
/// <remarks>
/// Call <see cref="ExitIfRequested"/> first thing in <c>Program.cs</c>, before the host is built, so that a probe
/// costs a process start and one request, not a second copy of the app.
/// </remarks>
public static class HealthProbe
{
    public const string Argument = "--healthcheck";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);

    /// <summary>With <c>--healthcheck [url]</c> among <paramref name="args"/>: probes and ends the process. Otherwise returns.</summary>
    public static void ExitIfRequested(string[] args)
    {
        if (TryGetUrl(args, out var url))
        {
            Environment.Exit(Probe(url, Console.Out));
        }
    }

    /// <summary>
    /// The URL to probe when <paramref name="args"/> contain <c>--healthcheck</c>: the argument after it, or
    /// <c>http://localhost:{first ASPNETCORE_HTTP_PORTS port, else 8080}/health</c>.
    /// </summary>
    public static bool TryGetUrl(string[] args, [NotNullWhen(true)] out Uri? url)
    {
        ArgumentNullException.ThrowIfNull(args);
        var index = Array.IndexOf(args, Argument);
        if (index < 0)
        {
            url = null;
            return false;
        }

        if (index + 1 < args.Length && Uri.TryCreate(args[index + 1], UriKind.Absolute, out var given))
        {
            url = given;
            return true;
        }

        var port = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS")?.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Trim()).FirstOrDefault() ?? "8080";
        url = new Uri($"http://localhost:{port}/health");
        return true;
    }

    /// <summary>One GET to <paramref name="url"/>: 0 for a 2xx answer, 1 for anything else (status, refused, timeout).</summary>
    public static int Probe(Uri url, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(output);
        using var http = new HttpClient { Timeout = s_timeout };
        try
        {
            using var response = http.GetAsync(url).GetAwaiter().GetResult();
            output.WriteLine($"{url}: {(int)response.StatusCode} {response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            output.WriteLine($"{url}: {ex.Message}");
            return 1;
        }
    }
}
