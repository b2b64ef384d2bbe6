using Blog.AppHost.Publishing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Blog.Tests.Deployment;

/// <summary>The YAML the compose and kustomize files are written with (YamlDotNet behind <see cref="YamlText"/>).</summary>
public class YamlTextTests
{
    [Theory]
    // What YAML 1.1 (kubectl, kustomize, PyYAML) or 1.2 (compose) readers take for a bool, number, null or date.
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("n")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("8080")]
    [InlineData("0777")]
    [InlineData("0x1F")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("22:22")]
    [InlineData("2001-12-14")]
    // Interpolations and colon values.
    [InlineData("8080:8080")]
    [InlineData("999:999")]
    [InlineData("${WEB_PORT:-8080}:8080")]
    [InlineData("$(CACHE_PASSWORD)")]
    [InlineData("redis-server --requirepass $$REDIS_PASSWORD")]
    public void StringsThatReadAsAnotherTypeOrInterpolateAreQuoted(string value)
    {
        var scalar = ReadValue(YamlText.Write(new YamlMap { ["key"] = value }));

        Assert.Equal(ScalarStyle.DoubleQuoted, scalar.Style);
        Assert.Equal(value, scalar.Value);
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("unless-stopped")]
    [InlineData("/bin/sh")]
    [InlineData("-c")]
    [InlineData("10s")]
    [InlineData("db.adminCommand('ping').ok")]
    public void OtherStringsStayPlain(string value)
    {
        var scalar = ReadValue(YamlText.Write(new YamlMap { ["key"] = value }));

        Assert.Equal(ScalarStyle.Plain, scalar.Style);
        Assert.Equal(value, scalar.Value);
    }

    [Fact]
    public void NullsAndEmptyListsAreLeftOutAndEmptyMapsAreBraces()
    {
        var map = new YamlMap
        {
            ["absent"] = null,
            ["none"] = new List<string>(),
            ["empty"] = new YamlMap(),
            ["list"] = new[] { "x" },
            ["items"] = new[] { new YamlMap { ["name"] = "a", ["envs"] = new[] { "a.env" } } },
            ["number"] = 5,
            ["flag"] = true,
        };

        Assert.Equal("empty: {}\nlist:\n  - x\nitems:\n  - name: a\n    envs:\n      - a.env\nnumber: 5\nflag: true\n", YamlText.Write(map));
    }

    [Fact]
    public void TheHeaderIsCommentLinesBeforeTheDocumentAndLongLinesAreNotFolded()
    {
        var command = "redis-cli -a \"$$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG; " + new string('x', 100);

        var text = YamlText.Write(new YamlMap { ["test"] = new[] { command } }, "line one\n  line two\n");

        Assert.Equal($"# line one\n#   line two\ntest:\n  - \"{command.Replace("\"", "\\\"", StringComparison.Ordinal)}\"\n", text);
    }

    private static YamlScalarNode ReadValue(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Assert.IsType<YamlScalarNode>(((YamlMappingNode)Assert.Single(stream.Documents).RootNode).Children[new YamlScalarNode("key")]);
    }
}
