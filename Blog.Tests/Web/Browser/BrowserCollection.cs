namespace Blog.Tests.Web.Browser;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BlogBrowserFixture>
{
    /// <summary>Browser scenarios share one AppHost and one chromium, and run alone (2 cores).</summary>
    public const string Name = "Browser";
}
