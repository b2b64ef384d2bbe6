// Part of our stand-ins for Aspire.Hosting.Docker / Aspire.Hosting.Kubernetes (see DeploymentModel.cs).

using System.Collections;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.ObjectGraphVisitors;

namespace Blog.AppHost.Publishing;

/// <summary>An insertion-ordered YAML mapping (key order is the file's order, so output is deterministic).</summary>
internal sealed class YamlMap() : OrderedDictionary<string, object?>(StringComparer.Ordinal);

/// <summary>
/// Writes compose and kustomize files with YamlDotNet: block style, two-space indent, no aliases, no line folding.
/// Null values and empty lists are left out; an empty mapping is written as <c>{}</c>.
/// </summary>
internal static partial class YamlText
{
    private static readonly IValueSerializer s_serializer = new SerializerBuilder()
        .DisableAliases()
        // Quotes what a YAML 1.1 reader (kubectl, kustomize) or a 1.2 one would take for a bool, number or null.
        .WithQuotingNecessaryStrings(quoteYaml1_1Strings: true)
        .WithEventEmitter(next => new QuoteInterpolations(next))
        .WithEmissionPhaseObjectGraphVisitor(args => new OmitNullsAndEmptyLists(args.InnerVisitor))
        .BuildValueSerializer();

    private static readonly EmitterSettings s_settings = EmitterSettings.Default
        .WithBestIndent(2)
        .WithBestWidth(int.MaxValue)
        .WithIndentedSequences()
        .WithNewLine("\n");

    /// <summary>One YAML document, preceded by <paramref name="headerComment"/> as comment lines.</summary>
    public static string Write(YamlMap root, string? headerComment = null)
    {
        using var text = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(text, s_settings);
        emitter.Emit(new StreamStart());
        foreach (var line in headerComment?.TrimEnd().Split('\n') ?? [])
        {
            emitter.Emit(new Comment(line, isInline: false));
        }

        emitter.Emit(new DocumentStart());
        s_serializer.SerializeValue(emitter, root, typeof(YamlMap));
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>
    /// Double-quotes, beyond <see cref="SerializerBuilder.WithQuotingNecessaryStrings"/>: interpolations
    /// (<c>${VAR}</c>, <c>$$</c>, <c>$(VAR)</c>), anything with a colon (port mappings like <c>8080:8080</c>, which compose's
    /// documentation says to quote because YAML 1.1 reads some <c>xx:yy</c> as base-60 numbers; <c>999:999</c>; URLs), and
    /// what its YAML 1.1 list misses but YAML 1.2 / Go readers take for a float or a date (<c>1e3</c>, <c>2001-12-14</c>).
    /// </summary>
    private sealed partial class QuoteInterpolations(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string value
                && (value.Contains('$') || value.Contains(':') || OtherTypes().IsMatch(value)))
            {
                eventInfo.Style = ScalarStyle.DoubleQuoted;
            }

            base.Emit(eventInfo, emitter);
        }

        [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2})$")]
        private static partial Regex OtherTypes();
    }

    /// <summary>Leaves out mapping entries whose value is null or an empty list (an empty mapping stays: <c>{}</c>).</summary>
    private sealed class OmitNullsAndEmptyLists(IObjectGraphVisitor<IEmitter> next) : ChainedObjectGraphVisitor(next)
    {
        public override bool EnterMapping(IObjectDescriptor key, IObjectDescriptor value, IEmitter context, ObjectSerializer serializer) =>
            value.Value is not (null or ICollection { Count: 0 } and not IDictionary)
            && base.EnterMapping(key, value, context, serializer);
    }
}
