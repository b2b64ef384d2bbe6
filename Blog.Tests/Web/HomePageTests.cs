using System.Text;
using Blog.Web.Api;
using Blog.Web.Components.Pages;
using Bunit;

namespace Blog.Tests.Web;

public class HomePageTests : BunitContext
{
    private readonly List<string> _requested = [];

    private void UseApi(Func<HttpRequestMessage, HttpResponseMessage> answer) =>
        Services.AddSingleton(new BlogApiClient(new HttpClient(new StubHandler(request =>
        {
            _requested.Add(request.RequestUri!.PathAndQuery);
            return answer(request);
        }))
        { BaseAddress = new Uri("http://api.test/") }));

    private static HttpResponseMessage Json(string json) => new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    [Fact]
    public void SaysTheBlogIsTemporarilyUnavailableWhenTheApiIsDown()
    {
        UseApi(_ => throw new HttpRequestException("Connection refused"));

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Contains("temporarily unavailable", cut.Markup));
        Assert.Empty(cut.FindAll(".post-card"));
    }

    [Fact]
    public void ShowsNoPostsYetWhenThereAreNone()
    {
        UseApi(r => r.RequestUri!.AbsolutePath == "/api/tags" ? Json("[]") : Json("""{"items":[],"page":1,"pageSize":10,"total":0}"""));

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Contains("No posts yet", cut.Markup));
    }

    [Fact]
    public void ShowsOneCardPerPostAndAPagerWhenThereAreMorePages()
    {
        UseApi(r => r.RequestUri!.AbsolutePath == "/api/tags"
            ? Json("""[{"tag":"aspire","count":2}]""")
            : Json("""
                {"items":[{"id":"1","slug":"one","title":"One","summary":"s","tags":["aspire"],"status":"published",
                  "author":{"username":"al","displayName":"Al"},"createdAt":"2026-01-02T00:00:00Z","updatedAt":"2026-01-02T00:00:00Z",
                  "publishedAt":"2026-01-02T00:00:00Z","commentCount":2,"version":1}],
                 "page":1,"pageSize":10,"total":11}
                """));

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".post-card")));
        Assert.Equal("Page 1 of 2", cut.Find(".pager-label").TextContent);
        Assert.Equal("/?page=2", cut.Find(".pager a[rel=next]").GetAttribute("href"));
        Assert.Contains(_requested, r => r.StartsWith("/api/posts?page=1&pageSize=10", StringComparison.Ordinal));
    }

    [Fact]
    public void PublicReadsGoWithoutAUserToken()
    {
        HttpRequestMessage? seen = null;
        UseApi(r =>
        {
            seen ??= r;
            return r.RequestUri!.AbsolutePath == "/api/tags" ? Json("[]") : Json("""{"items":[],"page":1,"pageSize":10,"total":0}""");
        });

        var cut = Render<Home>();

        cut.WaitForAssertion(() => Assert.Contains("No posts yet", cut.Markup));
        Assert.True(seen!.Options.TryGetValue(new HttpRequestOptionsKey<bool>("Blog.AsUser"), out var asUser));
        Assert.False(asUser);
    }

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer(request));
    }
}
