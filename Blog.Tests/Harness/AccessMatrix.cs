namespace Blog.Tests.Harness;

/// <summary>Who calls, in the access-matrix tests. An "own" Author wrote the post; the "other" one did not.</summary>
public enum Caller
{
    Anonymous,
    Reader,
    OwnAuthor,
    OtherAuthor,
    Editor,
    Admin,
}

/// <summary>
/// The one shape of every access-matrix test: a theory over rows of (caller, what that caller gets), one row per caller
/// named in the call. A caller left out is not a case of that test.
/// </summary>
internal static class AccessMatrix
{
    /// <summary>Rows for the named callers, in <see cref="Caller"/> order.</summary>
    public static TheoryData<Caller, T> Of<T>(
        T? anonymous = null, T? reader = null, T? ownAuthor = null, T? otherAuthor = null, T? editor = null, T? admin = null)
        where T : struct
    {
        var data = new TheoryData<Caller, T>();
        foreach (var (caller, expected) in Rows(anonymous, reader, ownAuthor, otherAuthor, editor, admin))
        {
            data.Add(caller, expected);
        }

        return data;
    }

    /// <summary>Rows of two columns per caller (two requests of one test); both name the same callers.</summary>
    public static TheoryData<Caller, T1, T2> Of<T1, T2>(IEnumerable<(Caller Caller, T1 Expected)> first, IEnumerable<(Caller Caller, T2 Expected)> second)
    {
        var data = new TheoryData<Caller, T1, T2>();
        foreach (var (a, b) in first.Zip(second, (a, b) => (a, b)))
        {
            if (a.Caller != b.Caller)
            {
                throw new ArgumentException($"The columns name different callers: {a.Caller} and {b.Caller}.");
            }

            data.Add(a.Caller, a.Expected, b.Expected);
        }

        return data;
    }

    /// <summary>The same rows, each behind the request it is about (for a matrix over several endpoints).</summary>
    public static IEnumerable<(Caller Caller, T Expected)> Rows<T>(
        T? anonymous = null, T? reader = null, T? ownAuthor = null, T? otherAuthor = null, T? editor = null, T? admin = null)
        where T : struct
    {
        T?[] cells = [anonymous, reader, ownAuthor, otherAuthor, editor, admin];
        for (var i = 0; i < cells.Length; i++)
        {
            if (cells[i] is { } expected)
            {
                yield return ((Caller)i, expected);
            }
        }
    }

    /// <summary>Rows of just the callers (for a test every one of them passes the same way).</summary>
    public static TheoryData<Caller> Callers(params Caller[] callers) => new(callers);
}
