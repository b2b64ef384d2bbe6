using Blog.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

var infrastructure = await InfrastructureChoice.DecideAsync(
    builder.Configuration,
    builder.ExecutionContext.IsPublishMode,
    new ContainerRuntimeProbe(builder.Configuration["ASPIRE_CONTAINER_RUNTIME"]));
builder.LogAtStart(infrastructure);

// Backing services first: database, then cache. Either may be absent (embedded / memory), see README.
var blogdb = builder.AddBlogDatabase(infrastructure.Database);
var cache = builder.AddBlogCache(infrastructure.Cache);

var jwtSigningKey = builder.AddParameter("jwt-signing-key", new GenerateParameterDefault
{
    // 64 characters from 62 symbols: ~381 bits, comfortably above HS256's 256-bit minimum.
    MinLength = 64,
    Special = false,
}, secret: true, persist: true);
var adminUsername = builder.AddParameterWithDefault("admin-username", "admin");
var adminEmail = builder.AddParameterWithDefault("admin-email", "admin@blog.local");
var adminPassword = builder.AddParameter("admin-password", new GenerateParameterDefault
{
    MinLength = 24,
    Special = false,
}, secret: true, persist: true);
builder.TellWhereTheAdminPasswordIs(adminUsername);
// The common-password blocklist stays on unless the AppHost is told otherwise (a test instance for a conformance suite).
var blockCommonPasswords = !bool.TryParse(builder.Configuration["Blog:Passwords:BlockCommon"], out var blockCommon) || blockCommon;
// The web's proof to the API that the X-Forwarded-For it sends is its own reader's address (ProxyProof).
var proxySecret = builder.AddParameter("proxy-secret", new GenerateParameterDefault
{
    MinLength = 48,
    Special = false,
}, secret: true, persist: true);

// Encrypts the web's Data Protection key ring at rest (it sits in Redis, or in a folder without Redis).
var dataProtectionCertificate = builder.AddParameter("dataprotection-certificate",
    new CertificateParameterDefault("Blog Data Protection"), secret: true, persist: true);

var api = builder.AddProject<Projects.Blog_Api>("api")
    .WithEnvironment("Jwt__SigningKey", jwtSigningKey)
    .WithEnvironment("Admin__Username", adminUsername)
    .WithEnvironment("Admin__Email", adminEmail)
    .WithEnvironment("Admin__Password", adminPassword)
    .WithEnvironment("Blog__Passwords__BlockCommon", blockCommonPasswords ? "true" : "false")
    .WithEnvironment("ForwardedHeaders__ProxySecret", proxySecret)
    .WithBlogDatabase(blogdb, builder.EmbeddedDatabasePath())
    .WithBlogCache(cache)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.Blog_Web>("web")
    .WithReference(api)
    .WaitFor(api)
    .WithEnvironment("Blog__Api__ProxySecret", proxySecret)
    .WithEnvironment("Blog__DataProtection__Certificate", dataProtectionCertificate)
    .WithBlogCache(cache)
    .WithTrustedIngress()
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health");

// Deployment targets: `aspire publish -o deploy` writes deploy/compose and deploy/k8s (docs/deployment.md).
builder.AddDockerComposeEnvironment("compose");
builder.AddKubernetesEnvironment("k8s");

builder.Build().Run();
