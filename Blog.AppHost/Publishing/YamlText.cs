// Part of our stand-ins for Aspire.Hosting.Docker / Aspire.Hosting.Kubernetes (see DeploymentModel.cs).

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Blog.AppHost.Publishing;

/// <summary>An insertion-ordered YAML mapping (key order is the file's order, so output is deterministic).</summary>
internal sealed class YamlMap : List<KeyValuePair<string, object?>>
{
    public object? this[string key]
    {
        set => Add(new(key, value));
    }
}

/// <summary>
/// A small YAML writer for compose and kustomize files: block style, two-space indent, and strings quoted whenever
/// a plain scalar could be read as something else (numbers, booleans, <c>8080:8080</c>, <c>${VAR}</c>, ...).
/// Null values and empty lists are left out; an empty mapping is written as <c>{}</c>.
/// </summary>
internal static partial class YamlText
{
    // Escapes only what JSON must (quotes, backslashes, control characters): readable, and valid YAML.
    private static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(YamlMap root, string? headerComment = null)
    {
        var text = new StringBuilder();
        if (headerComment is not null)
        {
            foreach (var line in headerComment.TrimEnd().Split('\n'))
            {
                text.Append(line.Length == 0 ? "#" : "# " + line).Append('\n');
            }
        }

        WriteMap(text, root, indent: 0);
        return text.ToString();
    }

    private static void WriteMap(StringBuilder text, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            if (value is null || value is System.Collections.ICollection { Count: 0 } and not YamlMap)
            {
                continue;
            }

            text.Append(' ', indent).Append(Scalar(key)).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, object value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case System.Collections.IEnumerable list and not string:
                text.Append('\n');
                foreach (var item in list)
                {
                    text.Append(' ', indent + 2).Append('-');
                    if (item is YamlMap itemMap)
                    {
                        // "- key: value" with the other keys aligned under the first.
                        var nested = new StringBuilder();
                        WriteMap(nested, itemMap, indent + 4);
                        text.Append(' ').Append(nested.ToString().TrimStart(' '));
                    }
                    else
                    {
                        text.Append(' ').Append(Scalar(item!)).Append('\n');
                    }
                }

                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int or long => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s => Quote(s),
        _ => Quote(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    /// <summary>Plain when unambiguous, else a JSON string (valid YAML double-quoted scalar).</summary>
    public static string Quote(string s) =>
        PlainSafe().IsMatch(s) && !Reserved().IsMatch(s) && !LooksNumeric().IsMatch(s)
            ? s
            : JsonSerializer.Serialize(s, s_json);

    [GeneratedRegex(@"^[A-Za-z_/.][A-Za-z0-9_./@+-]*$")]
    private static partial Regex PlainSafe();

    [GeneratedRegex(@"^(?i:true|false|yes|no|y|n|on|off|null|~)$")]
    private static partial Regex Reserved();

    [GeneratedRegex(@"^[-+.]?[0-9]")]
    private static partial Regex LooksNumeric();
}
