using Blog.Api.Storage;

namespace Blog.Tests.Storage;

public class DocumentIdsTests
{
    [Fact]
    public void IdsMadeInTheSameMillisecondKeepTheOrderTheyWereMadeIn()
    {
        var ids = new DocumentIds();
        var instant = DateTimeOffset.UtcNow;
        var made = Enumerable.Range(0, 5_000).Select(_ => ids.Next(instant)).ToList();

        Assert.Equal(made, made.Order(StringComparer.Ordinal));
        Assert.Equal(made.Count, made.Distinct().Count());
    }

    [Fact]
    public void IdsAreVersion7UuidsThatStartWithTheirMillisecond()
    {
        var ids = new DocumentIds();
        var earlier = DateTimeOffset.UtcNow;
        var later = earlier.AddMilliseconds(1);

        var first = ids.Next(earlier);
        var second = ids.Next(later);
        var guid = Guid.ParseExact(second, "N");

        Assert.Equal(7, guid.Version);
        Assert.Equal(0b10, guid.ToByteArray(bigEndian: true)[8] >> 6);
        Assert.Equal(later.ToUnixTimeMilliseconds(), Convert.ToInt64(second[..12], 16));
        Assert.True(string.CompareOrdinal(first, second) < 0);
    }

    [Fact]
    public void AClockThatStepsBackStillGivesIncreasingIds()
    {
        var ids = new DocumentIds();
        var now = DateTimeOffset.UtcNow;

        var first = ids.Next(now);
        var second = ids.Next(now.AddSeconds(-5));

        Assert.True(string.CompareOrdinal(first, second) < 0);
    }
}
