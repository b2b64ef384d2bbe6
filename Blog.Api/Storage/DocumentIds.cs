namespace Blog.Api.Storage;

/// <summary>
/// Ids of posts and comments: RFC 9562 version 7 UUIDs as 32 hex digits, so they sort by creation time. Lists break
/// ties of equal times by id, and .NET's <see cref="Guid.CreateVersion7()"/> is random within a millisecond; so each
/// id is made greater than the previous one of this process (RFC 9562 section 6.2, method 2: the random bits of a
/// repeated millisecond are the previous id's plus one). Items written by one replica in the same millisecond then
/// list in the order they were written; across replicas the order within a millisecond stays arbitrary.
/// </summary>
public sealed class DocumentIds
{
    private static readonly DocumentIds Process = new();

    private readonly Lock _gate = new();
    private byte[] _last = new byte[16];

    /// <summary>A new id, greater than every id this process made before.</summary>
    public static string New() => Process.Next(DateTimeOffset.UtcNow);

    /// <summary>An id for <paramref name="now"/>, greater than every id this generator made before.</summary>
    public string Next(DateTimeOffset now)
    {
        var next = Guid.CreateVersion7(now).ToByteArray(bigEndian: true);
        lock (_gate)
        {
            if (next.AsSpan().SequenceCompareTo(_last) <= 0)
            {
                next = (byte[])_last.Clone();
                IncrementRandomBits(next);
            }

            _last = next;
        }

        return new Guid(next, bigEndian: true).ToString("N");
    }

    // The 74 random bits are the low 4 bits of byte 6, byte 7, the low 6 bits of byte 8 and bytes 9-15; the version
    // nibble (byte 6) and the variant bits (byte 8) stay as they are. 2^74 ids in one millisecond cannot overflow them.
    private static void IncrementRandomBits(byte[] id)
    {
        for (var i = 15; i >= 9; i--)
        {
            if (++id[i] != 0)
            {
                return;
            }
        }

        if ((id[8] & 0x3F) != 0x3F)
        {
            id[8]++;
            return;
        }

        id[8] &= 0xC0;
        if (++id[7] != 0)
        {
            return;
        }

        id[6] = (byte)((id[6] & 0xF0) | ((id[6] + 1) & 0x0F));
    }
}
