using System.Diagnostics;
using YamlDotNet.RepresentationModel;

namespace Blog.Tests.Deployment;

/// <summary>Reading emitted YAML with YamlDotNet's representation model, and running CLI tools.</summary>
internal static class DeploymentFiles
{
    public static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    public static YamlNode At(this YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            var map = Assert.IsType<YamlMappingNode>(node);
            Assert.True(map.Children.TryGetValue(new YamlScalarNode(key), out var child), $"'{key}' missing; has: {string.Join(", ", map.Children.Keys)}");
            node = child;
        }

        return node;
    }

    public static YamlNode? Find(this YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static string Text(this YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value ?? "";

    public static string[] Strings(this YamlNode node) =>
        [.. Assert.IsType<YamlSequenceNode>(node).Children.Select(Text)];

    public static IEnumerable<YamlNode> Items(this YamlNode node) => Assert.IsType<YamlSequenceNode>(node).Children;

    public static string[] Keys(this YamlNode node) =>
        [.. Assert.IsType<YamlMappingNode>(node).Children.Keys.Select(Text)];

    public static Dictionary<string, string> Pairs(this YamlNode node) =>
        Assert.IsType<YamlMappingNode>(node).Children.ToDictionary(c => c.Key.Text(), c => c.Value.Text());

    public sealed record CliResult(int ExitCode, string Output, string Error);

    /// <summary>Runs a command; null when it is not installed.</summary>
    public static async Task<CliResult?> RunAsync(
        string fileName, IEnumerable<string> args, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        using (process)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(2));
            var output = process.StandardOutput.ReadToEndAsync(cts.Token);
            var error = process.StandardError.ReadToEndAsync(cts.Token);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in time");
            }

            return new CliResult(process.ExitCode, await output, await error);
        }
    }
}
