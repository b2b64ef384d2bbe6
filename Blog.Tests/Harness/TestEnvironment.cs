namespace Blog.Tests.Harness;

/// <summary>
/// What some tests need from the machine (a server named by an environment variable, a browser). Without it they are
/// reported as skipped with a reason that says what is missing and how to provide it, never as passed.
/// </summary>
internal static class TestEnvironment
{
    /// <summary>The variable's value, or null when it is unset or blank.</summary>
    public static string? Value(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>The variable's value; when it is unset or blank the running test is skipped with <paramref name="reason"/>.</summary>
    public static string SkipUnlessConfigured(string variable, string reason)
    {
        var value = Value(variable);
        Assert.SkipWhen(value is null, reason);
        return value!;
    }

    /// <summary>Skips the running test with <paramref name="reason"/> unless it is null (nothing is missing).</summary>
    public static void SkipIfMissing(string? reason) => Assert.SkipWhen(reason is not null, reason ?? "");
}
