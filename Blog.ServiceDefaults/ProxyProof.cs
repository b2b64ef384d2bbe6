using System.Security.Cryptography;
using System.Text;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How Blog.Web proves to Blog.Api that it is the web, so that the API may believe the reader's address it forwards in
/// <c>X-Forwarded-For</c>: a shared secret in the <see cref="HeaderName"/> header (the AppHost's <c>proxy-secret</c>
/// parameter: generated per deployment at publish time, and per developer machine at run time). A network address is
/// no proof: the compose subnet is chosen at <c>up</c> time and pod networks differ per cluster, and anything else in
/// that range could claim any reader's address.
/// </summary>
public static class ProxyProof
{
    public const string HeaderName = "X-Blog-Proxy-Secret";

    /// <summary>Fewer characters than this is refused at start: the secret must not be guessable.</summary>
    public const int MinimumLength = 32;

    /// <summary>
    /// Whether <paramref name="presented"/> is the secret. Constant time in the secret's content: both sides are hashed
    /// first, so neither a differing length nor a matching prefix answers faster.
    /// </summary>
    public static bool Matches(string expected, string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        Span<byte> left = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> right = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), left);
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), right);
        return CryptographicOperations.FixedTimeEquals(left, right);
    }
}
