using System.Collections.Frozen;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Blog.Api.Auth;

/// <summary>Bound from <c>Blog:Passwords</c>; the AppHost passes <c>Blog__Passwords__BlockCommon</c> from its own configuration.</summary>
public sealed class PasswordPolicyOptions
{
    public const string SectionName = "Blog:Passwords";

    /// <summary>
    /// Refuse the passwords of <see cref="CommonPasswords"/>. On by default; off only for a test instance whose
    /// conformance suite registers users with passwords such as <c>password123</c>.
    /// </summary>
    public bool BlockCommon { get; set; } = true;
}

/// <summary>
/// The one check of a new password, on every path that sets one (registration, change, admin reset, the admin
/// bootstrap). Length is checked by the request's own validation (8 to 128 characters, any characters, ASVS 6.2.1,
/// 6.2.5, 6.2.9); this adds the blocklist of NIST SP 800-63B-4 (common passwords, ASVS 6.2.4 and 6.2.12) and the
/// context-specific words (the account's username and email, ASVS 6.2.11).
/// </summary>
public sealed class PasswordPolicy(IOptions<PasswordPolicyOptions> options)
{
    public const string CommonReason = "This password is too common: it is on a list of passwords that attackers try first. Choose another.";
    public const string SameAsAccountReason = "The password must not be the same as the username or email address.";

    /// <summary>Why <paramref name="password"/> may not be the password of the account with this username and email, or null when it may.</summary>
    public string? Check(string password, string username, string email)
    {
        if (string.Equals(password, username, StringComparison.OrdinalIgnoreCase)
            || string.Equals(password, email, StringComparison.OrdinalIgnoreCase)
            || string.Equals(password.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return SameAsAccountReason;
        }

        return options.Value.BlockCommon && CommonPasswords.Contains(password) ? CommonReason : null;
    }

    /// <summary>400 naming the request field of the refused password and why (the reason <see cref="Check"/> gave).</summary>
    public static ValidationProblem Refused(string field, string reason) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [reason] });
}

/// <summary>
/// The 30,000 most common passwords of the npm package zxcvbn 4.4.2 (MIT, see Auth/CommonPasswords/README.md and
/// LICENSE.txt there), embedded in this assembly and read once. The list is lower case; a password matches in any case,
/// since <c>Password</c> is as guessable as <c>password</c>.
/// </summary>
public static class CommonPasswords
{
    private static readonly Lazy<FrozenSet<string>> Set = new(Load);

    public static int Count => Set.Value.Count;

    public static bool Contains(string password) => Set.Value.Contains(password);

    private static FrozenSet<string> Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("Blog.Api.CommonPasswords.txt")
            ?? throw new InvalidOperationException("The embedded list of common passwords is missing.");
        using var reader = new StreamReader(stream);
        var passwords = new List<string>(30_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                passwords.Add(line);
            }
        }

        return passwords.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }
}
