using Blog.AppHost.Infrastructure;
using Microsoft.AspNetCore.DataProtection;

namespace Blog.Tests.Web;

public sealed class DataProtectionTests
{
    [Fact]
    public void WithTheCertificateTheKeyRingIsEncryptedAtRest()
    {
        using var web = new IngressWebFactory();
        web.Settings["Blog:DataProtection:Certificate"] = new CertificateParameterDefault("Blog Data Protection test").GetDefaultValue();

        var protector = web.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
        var secret = protector.Protect("cookie payload");

        var key = File.ReadAllText(Assert.Single(Directory.GetFiles(web.KeysPath, "key-*.xml")));
        Assert.Contains("EncryptedData", key, StringComparison.Ordinal);
        Assert.DoesNotContain("<value>", key, StringComparison.Ordinal); // the plain master key
        Assert.Equal("cookie payload", protector.Unprotect(secret));
    }

    [Fact]
    public void WithRedisAndNoCertificateTheWebRefusesToStart()
    {
        using var web = new IngressWebFactory();
        web.Settings["ConnectionStrings:cache"] = "127.0.0.1:9,abortConnect=false";

        var error = Assert.ThrowsAny<Exception>(() => web.Services);

        Assert.Contains("Blog:DataProtection:Certificate", error.ToString(), StringComparison.Ordinal);
    }
}
