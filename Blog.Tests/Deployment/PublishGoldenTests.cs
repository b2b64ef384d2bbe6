using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Blog.Tests.Deployment;

/// <summary>
/// Every file the publish step writes, compared byte for byte with a copy committed under <c>Golden/{variant}/</c>, so
/// that a change to the publishers that alters any emitted file is seen in review. <c>BLOG_UPDATE_GOLDEN=1</c> rewrites
/// the copies from the current output (then read the diff before committing it).
/// </summary>
public partial class PublishGoldenTests
{
    private const string UpdateVariable = "BLOG_UPDATE_GOLDEN";

    /// <summary>Golden copies are named <c>{emitted path}.golden</c>: git would otherwise read the emitted .gitignore as rules (and ignore .env).</summary>
    private const string Suffix = ".golden";

    // The non-secret parameters are fixed, so values a developer keeps in the AppHost's user secrets or environment
    // (Parameters:admin-username, ...) cannot leak into the output. The secrets need no fixing: publishing never takes a
    // secret from configuration but generates a new one for each deployment (see Normalise).
    private static readonly string[] s_fixedParameters =
        ["--Parameters:admin-username=admin", "--Parameters:admin-email=admin@blog.local"];

    public static TheoryData<string, string[]> Variants => new()
    {
        { "containers", [] },
        { "embedded", ["--Blog:Database=embedded"] },
        {
            "k8s-settings",
            ["--Publishing:k8s:Exposure=LoadBalancer", "--Publishing:k8s:Replicas=3", "--Publishing:k8s:StorageSize=5Gi"]
        },
        { "k8s-ingress", ["--Publishing:k8s:IngressHost=blog.example.com", "--Publishing:k8s:IngressClassName=nginx"] },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task EveryPublishedFileIsByteForByteItsGoldenCopy(string variant, string[] args)
    {
        var output = Publisher.NewOutputDirectory();
        try
        {
            await Publisher.PublishAsync(output, [.. s_fixedParameters, .. args]);
            var emitted = ReadTree(output, suffix: "");
            var golden = Path.Combine(GoldenRoot(), variant);
            if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
            {
                WriteTree(golden, emitted);
                return;
            }

            var expected = ReadTree(golden, Suffix);
            Assert.True(expected.Count > 0, $"No golden copies in {golden}; run the test once with {UpdateVariable}=1.");
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), emitted.Keys.Order(StringComparer.Ordinal));
            foreach (var (path, bytes) in expected)
            {
                Assert.True(bytes.AsSpan().SequenceEqual(emitted[path]), FirstDifference(variant, path, bytes, emitted[path]));
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void OnlyGeneratedSecretsInTheSecretFilesAreNormalised()
    {
        var text = $"# Password (secret, generated)\nKEY={new string('a', 31)}Z1\nCERT={new string('A', 400)}+/==\nSHORT=abc\n";
        const string normalised = "# Password (secret, generated)\nKEY=<generated:33>\nCERT=<generated-base64>\nSHORT=abc\n";

        Assert.Equal(normalised, Encoding.UTF8.GetString(Normalise("compose/.env", Encoding.UTF8.GetBytes(text))));
        Assert.Equal(normalised, Encoding.UTF8.GetString(Normalise("k8s/secrets.env", Encoding.UTF8.GetBytes(text))));
        Assert.Equal(text, Encoding.UTF8.GetString(Normalise("k8s/parameters.env", Encoding.UTF8.GetBytes(text))));
        Assert.Equal(text, Encoding.UTF8.GetString(Normalise("k8s/api.yaml", Encoding.UTF8.GetBytes(text))));
    }

    /// <summary>
    /// The one part of the output that is random by design: the secrets generated into the two secret env files
    /// (compose's .env, kustomize's secrets.env). Their values are replaced by their shape: a password or token
    /// (letters and digits, 32 or more: SecretValues.MinimumLength) keeps its length, a certificate (long base64) does
    /// not (its encoding's length varies). Everything else, including every key and comment of those files, is compared as written.
    /// </summary>
    private static byte[] Normalise(string path, byte[] content)
    {
        if (Path.GetFileName(path) is not (".env" or "secrets.env"))
        {
            return content;
        }

        var text = Encoding.UTF8.GetString(content);
        text = GeneratedPassword().Replace(text, m => $"{m.Groups["key"].Value}=<generated:{m.Groups["value"].Length}>");
        text = GeneratedBase64().Replace(text, m => $"{m.Groups["key"].Value}=<generated-base64>");
        return Encoding.UTF8.GetBytes(text);
    }

    [GeneratedRegex(@"^(?<key>[A-Z0-9_]+)=(?<value>[A-Za-z0-9]{32,})$", RegexOptions.Multiline)]
    private static partial Regex GeneratedPassword();

    [GeneratedRegex(@"^(?<key>[A-Z0-9_]+)=(?<value>[A-Za-z0-9+/]{400,}={0,2})$", RegexOptions.Multiline)]
    private static partial Regex GeneratedBase64();

    /// <summary>Relative path ('/'-separated, without <paramref name="suffix"/>) to normalised bytes.</summary>
    private static Dictionary<string, byte[]> ReadTree(string root, string suffix)
    {
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(suffix, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')[..^suffix.Length])
            .ToDictionary(p => p, p => Normalise(p, File.ReadAllBytes(Path.Combine(root, p + suffix))));
    }

    private static void WriteTree(string root, Dictionary<string, byte[]> files)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        foreach (var (path, bytes) in files)
        {
            var target = Path.Combine(root, path + Suffix);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, bytes);
        }
    }

    private static string FirstDifference(string variant, string path, byte[] expected, byte[] actual)
    {
        var expectedLines = Encoding.UTF8.GetString(expected).Split('\n');
        var actualLines = Encoding.UTF8.GetString(actual).Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (e != a)
            {
                return $"{variant}/{path} differs from its golden copy at line {i + 1}:\n  golden:  {e}\n  emitted: {a}\n" +
                    $"If the change is intended, run with {UpdateVariable}=1 and commit the diff.";
            }
        }

        return $"{variant}/{path} differs from its golden copy in its bytes (line endings or encoding).";
    }

    /// <summary>The Golden folder beside this source file (the tests run from the build output, the copies live in the source tree).</summary>
    private static string GoldenRoot([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");
}
