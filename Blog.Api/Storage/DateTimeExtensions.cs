namespace Blog.Api.Storage;

/// <summary>The one conversion of a time to UTC, for what is written (<see cref="StoredValues"/>) and what is answered.</summary>
internal static class DateTimeExtensions
{
    /// <summary>
    /// The instant as a UTC <see cref="DateTime"/>, so JSON carries the "Z" whatever Kind the store gave back.
    /// Unspecified is taken as UTC: both drivers would otherwise treat it as local time.
    /// </summary>
    public static DateTime AsUtc(this DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    /// <summary>In UTC, truncated to milliseconds: what both stores keep (BSON precision).</summary>
    public static DateTime ToStoredPrecision(this DateTime value)
    {
        var utc = value.AsUtc();
        return new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }
}
