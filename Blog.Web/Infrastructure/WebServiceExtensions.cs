using System.Net;
using System.Security.Cryptography.X509Certificates;
using Blog.Web.Api;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Http.Resilience;
using StackExchange.Redis;

namespace Blog.Web.Infrastructure;

internal static class WebServiceExtensions
{
    private const string CacheConnectionName = "cache";
    private const string ApplicationName = "Blog.Web";

    /// <summary>
    /// Every key the web writes to Redis starts with this: deployments give the web a Redis user limited to
    /// <c>blog-web:*</c>, so it cannot read or write the API's output cache (<c>blog-api:*</c>).
    /// </summary>
    public const string RedisKeyPrefix = "blog-web:";

    /// <summary>
    /// The typed <see cref="BlogApiClient"/> at <c>https+http://api</c> (service discovery and the standard
    /// resilience handler come from the service defaults), with the X-Forwarded-For and bearer-token handlers.
    /// </summary>
    public static IHostApplicationBuilder AddBlogApiClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddTransient<ApiHandlers.ForwardedForHandler>();
        builder.Services.AddTransient<ApiHandlers.BearerTokenHandler>();

        builder.Services.ConfigureAll<HttpStandardResilienceOptions>(ConfigureApiResilience);

        var baseAddress = builder.Configuration["Blog:Api:BaseAddress"] ?? "https+http://api";
        builder.Services.AddHttpClient<BlogApiClient>(client => client.BaseAddress = new Uri(baseAddress))
            .AddHttpMessageHandler<ApiHandlers.ForwardedForHandler>()
            .AddHttpMessageHandler<ApiHandlers.BearerTokenHandler>();

        return builder;
    }

    /// <summary>
    /// The standard resilience pipeline, tuned for calls that a page render waits on. Its defaults (10 s per attempt,
    /// retries 2 s, 4 s and 8 s apart, 30 s in all) keep a reader staring at a half-drawn page for half a minute when
    /// the API is down; here a down API shows as "temporarily unavailable" within seconds.
    /// </summary>
    internal static void ConfigureApiResilience(HttpStandardResilienceOptions options)
    {
        // Writes must not be repeated by the retry strategy: a retried POST could create a post or comment twice.
        options.Retry.DisableForUnsafeHttpMethods();
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(4);
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);

        // After repeated failures, fail at once for a few seconds instead of waiting on every call: the default
        // minimum of 100 calls in 30 s never trips on a small blog. A 429 is the API limiting one client (a login
        // burst), not the API failing, so it does not count.
        options.CircuitBreaker.MinimumThroughput = 10;
        options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(
            args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(args.Outcome));
    }

    /// <summary>Base64 PKCS#12 certificate with private key (the AppHost's <c>dataprotection-certificate</c> parameter).</summary>
    public const string CertificateKey = "Blog:DataProtection:Certificate";

    /// <summary>
    /// Data Protection keys (they encrypt the auth cookie and antiforgery tokens): in Redis when a <c>cache</c>
    /// connection exists, so every web replica reads the others' cookies; otherwise in a local folder
    /// (<c>Blog:DataProtection:KeysPath</c>, default <c>{ContentRoot}/App_Data/keys</c>). Encrypted at rest with the
    /// certificate in <see cref="CertificateKey"/>: whoever reads Redis (or the folder) cannot forge cookies. In Redis
    /// the certificate is required: the web refuses to start without it rather than share plain keys.
    /// </summary>
    public static IHostApplicationBuilder AddBlogDataProtection(this IHostApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        var inRedis = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(CacheConnectionName));
        if (builder.Configuration[CertificateKey] is { Length: > 0 } encoded)
        {
            var certificate = X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(encoded), password: null, X509KeyStorageFlags.EphemeralKeySet);
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"{CertificateKey} must hold the certificate's private key (PKCS#12).");
            }

            // Decryption looks certificates up in the machine's store unless told about this one.
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        else if (inRedis)
        {
            throw new InvalidOperationException(
                $"{CertificateKey} is not set: the Data Protection keys would be stored unencrypted in Redis. Give the web a certificate (the AppHost's dataprotection-certificate parameter).");
        }

        if (inRedis)
        {
            builder.AddRedisClient(CacheConnectionName);

            // What PersistKeysToStackExchangeRedis(...) does, but with the IConnectionMultiplexer from DI
            // (the Aspire client's, with its health check and tracing) instead of a second connection.
            builder.Services.AddOptions<KeyManagementOptions>()
                .Configure<IConnectionMultiplexer>((options, redis) =>
                    options.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), $"{RedisKeyPrefix}DataProtection-Keys"));
        }
        else
        {
            var path = builder.Configuration["Blog:DataProtection:KeysPath"];
            if (string.IsNullOrWhiteSpace(path))
            {
                path = Path.Combine(builder.Environment.ContentRootPath, "App_Data", "keys");
            }

            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(path));
        }

        return builder;
    }
}
