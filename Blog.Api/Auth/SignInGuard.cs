using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Blog.Api.Auth;

/// <summary>The sign-in throttle, bound from <c>SignIn</c> (see <see cref="SignInGuard"/>).</summary>
public sealed class SignInThrottleOptions
{
    public const string SectionName = "SignIn";

    /// <summary>Length of the fixed windows the attempts are counted in.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Password attempts per window on one login (username or email, any case) from every client without a device token for it, together.</summary>
    public int MaxAttemptsPerWindow { get; set; } = 100;

    /// <summary>Password attempts per window from one device that holds a valid device token for the account.</summary>
    public int MaxDeviceAttemptsPerWindow { get; set; } = 10;

    /// <summary>How long a device token is accepted after it was issued (each successful sign-in issues a new one).</summary>
    public TimeSpan DeviceTokenLifetime { get; set; } = TimeSpan.FromDays(180);
}

/// <summary>The outcome of <see cref="SignInGuard.CountAttemptAsync"/>.</summary>
internal readonly record struct SignInPermit(bool Allowed, TimeSpan RetryAfter);

/// <summary>
/// The rules every password check goes through (sign-in, change of password, and any sign-in path added later), so
/// that an attacker can neither guess freely nor keep the owner out (OWASP's "device cookie" pattern):
/// <list type="bullet">
/// <item>Each attempt is counted, atomically and in the store shared by every replica, before the password is
/// verified; an attempt over the limit is refused without verifying anything, so parallel requests cannot out-race it.</item>
/// <item>An attempt that carries a valid device token for the account (issued to that browser or client when it
/// signed in before, see <see cref="DeviceTokens"/>) counts in that device's own small bucket, so other clients'
/// guesses never block it.</item>
/// <item>Every other attempt counts in the login's shared bucket, keyed by the normalised login string, whether or not
/// an account has it: unknown logins are throttled exactly like real ones (same status, body and Retry-After), and the
/// throttle tells nobody which accounts exist.</item>
/// </list>
/// Windows are fixed and aligned to the epoch, so <c>Retry-After</c> (the end of the window) is the same for every login.
/// </summary>
internal sealed class SignInGuard(ISignInAttemptStore attempts, DeviceTokens devices, IOptions<SignInThrottleOptions> options, TimeProvider time)
{
    public const string TooManyAttempts = "Too many sign-in attempts for this account. Try again later.";

    /// <summary>
    /// Counts one password attempt on <paramref name="login"/> (as typed: it is trimmed and lower-cased here).
    /// <paramref name="account"/> is the account the login names, or null; <paramref name="deviceToken"/> what the
    /// client sent. Call it before verifying the password, and verify only when it is allowed.
    /// </summary>
    public async Task<SignInPermit> CountAttemptAsync(string login, User? account, string? deviceToken, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var windowTicks = settings.Window.Ticks;
        var windowStart = now.Ticks - now.Ticks % windowTicks;
        var windowEnd = new DateTime(windowStart + windowTicks, DateTimeKind.Utc);

        var deviceId = account is null ? null : devices.Validate(deviceToken, account.Id);
        var (bucket, limit) = deviceId is not null
            ? ($"device\n{deviceId}", settings.MaxDeviceAttemptsPerWindow)
            : ($"login\n{StoredValues.Key(login.Trim())}", settings.MaxAttemptsPerWindow);

        var count = await attempts.IncrementAsync(CounterKey(bucket, windowStart), windowEnd, ct).ConfigureAwait(false);
        return count <= limit ? new SignInPermit(true, TimeSpan.Zero) : new SignInPermit(false, windowEnd - now);
    }

    /// <summary>429 with <c>Retry-After</c> and the one body every refused attempt gets.</summary>
    public static ProblemHttpResult Refuse(HttpContext http, SignInPermit permit)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(permit.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, detail: TooManyAttempts);
    }

    // A hash, so that the store holds no login or email address, and the key has a fixed length whatever was typed.
    private static string CounterKey(string bucket, long windowStart) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{bucket}\n{windowStart.ToString(CultureInfo.InvariantCulture)}")));
}
