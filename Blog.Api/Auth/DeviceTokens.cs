using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Blog.Api.Security;
using Microsoft.Extensions.Options;

namespace Blog.Api.Auth;

/// <summary>
/// Device tokens (OWASP "device cookie"): given to a browser or client when it signs in successfully, bound to that
/// account, and sent back on its later sign-ins so that <see cref="SignInGuard"/> counts them in the device's own
/// bucket. A token is <c>base64url(payload).base64url(HMAC-SHA256(payload))</c>, the payload holding a version, the
/// expiry, a random device id and the user id. Nothing is stored: every API replica checks a token with the same key,
/// derived (HKDF, its own label) from the JWT signing key that every replica already shares; the key is never used
/// for anything else. A token gives no access by itself: it only decides which bucket a password attempt counts in.
/// </summary>
internal sealed class DeviceTokens
{
    private const byte Version = 1;
    private const int DeviceIdBytes = 16;
    private const int MacBytes = 32;

    private readonly byte[] _key;
    private readonly IOptions<SignInThrottleOptions> _options;
    private readonly TimeProvider _time;

    public DeviceTokens(JwtSigningKey signingKey, IOptions<SignInThrottleOptions> options, TimeProvider time)
    {
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, signingKey.Key.Key, 32, info: Encoding.UTF8.GetBytes("Blog.Api device token v1"));
        _options = options;
        _time = time;
    }

    /// <summary>A new device token for <paramref name="userId"/>, with a new random device id.</summary>
    public string Issue(string userId)
    {
        var user = Encoding.UTF8.GetBytes(userId);
        var payload = new byte[1 + 8 + DeviceIdBytes + user.Length];
        payload[0] = Version;
        var expires = _time.GetUtcNow().Add(_options.Value.DeviceTokenLifetime).ToUnixTimeSeconds();
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1, 8), expires);
        RandomNumberGenerator.Fill(payload.AsSpan(9, DeviceIdBytes));
        user.CopyTo(payload.AsSpan(9 + DeviceIdBytes));
        return $"{Base64Url(payload)}.{Base64Url(HMACSHA256.HashData(_key, payload))}";
    }

    /// <summary>The device id of <paramref name="token"/> when it is genuine, unexpired and issued for <paramref name="userId"/>; otherwise null.</summary>
    public string? Validate(string? token, string userId)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 512 || token.Split('.') is not [var payloadPart, var macPart])
        {
            return null;
        }

        byte[] payload, mac;
        try
        {
            payload = Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Decode(payloadPart);
            mac = Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Decode(macPart);
        }
        catch (FormatException)
        {
            return null;
        }

        if (payload.Length <= 9 + DeviceIdBytes || payload[0] != Version || mac.Length != MacBytes
            || !CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(1, 8)));
        var owner = Encoding.UTF8.GetString(payload.AsSpan(9 + DeviceIdBytes));
        return expires > _time.GetUtcNow() && owner == userId ? Convert.ToHexStringLower(payload.AsSpan(9, DeviceIdBytes)) : null;
    }

    private static string Base64Url(byte[] bytes) => Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder.Encode(bytes);
}
