namespace Blog.Tests.Harness;

/// <summary>What every test reaches for; imported everywhere with <c>using static</c> (see the project file).</summary>
internal static class CurrentTest
{
    /// <summary>The running test's cancellation token: cancelled when the test times out or the run is aborted.</summary>
    public static CancellationToken Ct => TestContext.Current.CancellationToken;
}
