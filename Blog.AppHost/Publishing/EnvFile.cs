// Part of our stand-ins for Aspire.Hosting.Docker / Aspire.Hosting.Kubernetes (see DeploymentModel.cs).
// Fixes what users of the official Docker publisher report: secrets missing from .env, and .env overwritten on
// every publish. Here an env file is written once; later publishes only append keys it does not have yet.

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Blog.AppHost.Publishing;

/// <summary>One key of an env file: its value is produced only when the key is missing (secrets are generated then).</summary>
internal sealed record EnvEntry(string Key, string Description, Func<string> Value);

/// <summary>
/// <c>KEY=value</c> files with a <c># description</c> line above each key, read by <c>docker compose</c> (.env) and by
/// kustomize generators (secrets.env, parameters.env). Existing values are never changed, reordered or reformatted.
/// </summary>
internal static partial class EnvFile
{
    /// <summary>Writes <paramref name="path"/> if missing, else appends the entries whose keys it lacks. Returns the keys written.</summary>
    public static IReadOnlyList<string> WriteMissing(string path, string header, IEnumerable<EnvEntry> entries, bool secret)
    {
        var existing = File.Exists(path) ? ReadKeys(File.ReadAllText(path)) : null;
        var text = new StringBuilder();
        var written = new List<string>();
        foreach (var entry in entries)
        {
            if (existing?.Contains(entry.Key) == true || written.Contains(entry.Key))
            {
                continue;
            }

            text.Append("\n# ").Append(entry.Description.ReplaceLineEndings(" ")).Append('\n');
            text.Append(entry.Key).Append('=').Append(entry.Value()).Append('\n');
            written.Add(entry.Key);
        }

        if (existing is null)
        {
            File.WriteAllText(path, header + text);
        }
        else if (written.Count > 0)
        {
            var current = File.ReadAllText(path);
            var separator = current.Length == 0 || current.EndsWith('\n') ? "" : "\n";
            File.AppendAllText(path, separator + "\n# --- added by a later publish (existing values above are kept) ---\n" + text.ToString().TrimStart('\n'));
        }

        if (secret && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return written;
    }

    /// <summary>The keys defined in env-file text (<c>KEY=...</c> or <c>export KEY=...</c>), ignoring comments.</summary>
    public static HashSet<string> ReadKeys(string text) =>
        [.. text.Split('\n').Select(line => KeyPattern().Match(line)).Where(m => m.Success).Select(m => m.Groups["key"].Value)];

    /// <summary>The values of an env file (unquoted as docker compose does for simple quotes); later keys win.</summary>
    public static Dictionary<string, string> Read(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var match = KeyPattern().Match(line);
            if (match.Success)
            {
                var value = line[(line.IndexOf('=') + 1)..].Trim();
                if (value.Length >= 2 && (value[0] is '"' or '\'') && value[^1] == value[0])
                {
                    value = value[1..^1];
                }

                values[match.Groups["key"].Value] = value;
            }
        }

        return values;
    }

    [GeneratedRegex(@"^\s*(export\s+)?(?<key>[A-Za-z_][A-Za-z0-9_]*)\s*=")]
    private static partial Regex KeyPattern();
}

/// <summary>Strong secrets for a deployment, generated with the same rules as Aspire's generated parameters, but longer.</summary>
internal static class SecretValues
{
    /// <summary>At least 32 characters from 62 symbols (~190 bits), whatever the parameter asks for.</summary>
    public const int MinimumLength = 32;

    private const string Lower = "abcdefghijklmnopqrstuvwxyz";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Digits = "0123456789";

    /// <summary>
    /// Letters and digits only (never the special characters a parameter may allow): the values are embedded in
    /// connection strings, URLs and shell command lines, where special characters would need escaping.
    /// At least one character of each allowed class, so password policies are met.
    /// </summary>
    public static string Generate(ParameterDefault? rules)
    {
        if (rules is IGeneratedSecret generated)
        {
            return generated.Generate();
        }

        return GeneratePassword(rules as GenerateParameterDefault);
    }

    private static string GeneratePassword(GenerateParameterDefault? rules)
    {
        var length = Math.Max(rules?.MinLength ?? 0, MinimumLength);
        var classes = new List<string>();
        if (rules?.Lower != false)
        {
            classes.Add(Lower);
        }

        if (rules?.Upper != false)
        {
            classes.Add(Upper);
        }

        if (rules?.Numeric != false)
        {
            classes.Add(Digits);
        }

        if (classes.Count == 0)
        {
            classes.Add(Lower + Upper + Digits);
        }

        var alphabet = string.Concat(classes);
        while (true)
        {
            var value = RandomNumberGenerator.GetString(alphabet, length);
            if (classes.All(c => value.AsSpan().IndexOfAny(c) >= 0))
            {
                return value;
            }
        }
    }
}
