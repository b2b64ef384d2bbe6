namespace Blog.Api.Storage;

/// <summary>
/// The one rule of the admin user search (<see cref="IUserStore.ListAsync"/>), the same on both stores: the search text
/// is lower-cased with <see cref="string.ToLowerInvariant"/> (so U+0130 'İ' becomes 'i' and U+212A KELVIN SIGN becomes
/// 'k', whatever the server's or the machine's culture) and matches a user when it is an ordinal substring of the
/// lower-cased username, email or display name. Every character is literal (no pattern syntax), NUL and other control
/// characters included. A lone surrogate half (text cut inside a pair) cannot be stored or sent to MongoDB as UTF-8, so
/// it is left out of the search text first; a search text left empty lists every user.
/// </summary>
public static class UserSearch
{
    /// <summary>The text a store searches for, or null to list every user.</summary>
    public static string? Key(string? search)
    {
        if (string.IsNullOrEmpty(search))
        {
            return null;
        }

        var chars = new List<char>(search.Length);
        for (var i = 0; i < search.Length; i++)
        {
            var c = search[i];
            if (char.IsHighSurrogate(c) && i + 1 < search.Length && char.IsLowSurrogate(search[i + 1]))
            {
                chars.Add(c);
                chars.Add(search[++i]);
            }
            else if (!char.IsSurrogate(c))
            {
                chars.Add(c);
            }
        }

        return chars.Count == 0 ? null : new string([.. chars]).ToLowerInvariant();
    }

    /// <summary>The lower-cased display name the search compares with (stored as <see cref="User.NormalizedDisplayName"/>).</summary>
    public static string DisplayNameKey(string displayName) => displayName.ToLowerInvariant();

    /// <summary>The rule itself, for a store that filters in process.</summary>
    public static bool Matches(User user, string key) =>
        user.NormalizedUsername.Contains(key, StringComparison.Ordinal)
        || user.NormalizedEmail.Contains(key, StringComparison.Ordinal)
        || DisplayNameKey(user.DisplayName).Contains(key, StringComparison.Ordinal);

    /// <summary>At most <paramref name="maxLength"/> UTF-16 units of <paramref name="text"/>, never ending inside a surrogate pair.</summary>
    public static string Clip(string text, int maxLength)
    {
        if (text.Length <= maxLength)
        {
            return text;
        }

        var end = char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
        return text[..end];
    }
}
