using Blog.Web.Api;

namespace Blog.Tests.Web;

public sealed class PagedListTests
{
    [Theory]
    [InlineData(95, 10, 10)]
    [InlineData(5_000, 10, 100)]
    [InlineData(5_000, 50, 20)]
    [InlineData(5_000, 7, 143)]
    [InlineData(0, 10, 1)]
    public void ThePagerStopsAtTheDeepestPageTheApiServes(long total, int pageSize, int pageCount)
    {
        var list = new PagedList<string>([], 1, pageSize, total);

        Assert.Equal(pageCount, list.PageCount);
    }
}
