using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting.Publishing;
using Blog.AppHost.Publishing;

namespace Blog.AppHost.Infrastructure;

/// <summary>
/// Generates a self-signed certificate with its RSA private key, as base64 PKCS#12 (no password: it lives only where
/// secrets live). Blog.Web encrypts its Data Protection key ring with it (ProtectKeysWithCertificate), so the keys
/// that sign every auth cookie are not readable by whoever can read Redis. Run mode: generated once per machine and
/// kept in the AppHost's user secrets (persist). Publishing: generated once per deployment into the env files.
/// </summary>
internal sealed class CertificateParameterDefault(string subject) : ParameterDefault, IGeneratedSecret
{
    public override string GetDefaultValue()
    {
        using var key = RSA.Create(3072);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
        // Encrypted XML does not look at validity; a long one avoids a pointless expiry of what is only a key holder.
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        return Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12));
    }

    public string Generate() => GetDefaultValue();

    // The JSON manifest cannot express "generate a certificate": leave the value to the deployer there.
    public override void WriteToManifest(ManifestPublishingContext context)
    {
    }
}
