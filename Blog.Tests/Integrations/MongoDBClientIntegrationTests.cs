using System.Collections.Concurrent;
using System.Diagnostics;
using Blog.Api.Storage;
using Blog.Api.Storage.LiteDB;
using Blog.Api.Storage.MongoDB;
using Blog.Tests.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Blog.Tests.Integrations;

/// <summary>
/// The AddMongoDBClient stand-in and the MongoDB mapping, checked without a server: the client connects lazily, tracing is
/// the driver's own, and documents are serialised with the registered conventions.
/// </summary>
public sealed class MongoDBClientIntegrationTests
{
    [Fact]
    public void AMissingConnectionStringThrowsNamingTheConnectionAndWhereToSetIt()
    {
        var builder = NewBuilder([]);

        var ex = Assert.Throws<InvalidOperationException>(() => builder.AddMongoDBClient("blogdb"));

        Assert.Contains("'blogdb'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:blogdb", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Aspire:MongoDB:Driver:blogdb:ConnectionString", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheConnectionStringsEntryWinsOverTheSettingsSections()
    {
        var builder = NewBuilder(new()
        {
            ["Aspire:MongoDB:Driver:ConnectionString"] = "mongodb://general.example/general",
            ["Aspire:MongoDB:Driver:blogdb:ConnectionString"] = "mongodb://named.example/named",
            ["ConnectionStrings:blogdb"] = "mongodb://winner.example:27019/winner",
        });

        builder.AddMongoDBClient("blogdb");
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<IMongoClient>();
        Assert.Equal("winner.example", client.Settings.Server.Host);
        Assert.Equal(27019, client.Settings.Server.Port);
        Assert.Equal("winner", host.Services.GetRequiredService<IMongoDatabase>().DatabaseNamespace.DatabaseName);
        Assert.Same(client, host.Services.GetRequiredService<IMongoClient>());
    }

    [Fact]
    public void TheNamedSettingsSectionOverridesTheGeneralOne()
    {
        var builder = NewBuilder(new()
        {
            ["ConnectionStrings:blogdb"] = "mongodb://db.example/blogdb",
            ["Aspire:MongoDB:Driver:DisableHealthChecks"] = "true",
            ["Aspire:MongoDB:Driver:HealthCheckTimeout"] = "900",
            ["Aspire:MongoDB:Driver:blogdb:DisableHealthChecks"] = "false",
            ["Aspire:MongoDB:Driver:blogdb:HealthCheckTimeout"] = "1500",
        });

        builder.AddMongoDBClient("blogdb");
        using var host = builder.Build();

        var registration = Assert.Single(HealthChecks(host), r => r.Name == "MongoDB.Driver");
        Assert.Equal(TimeSpan.FromMilliseconds(1500), registration.Timeout);
    }

    [Fact]
    public void HealthChecksCanBeTurnedOffInConfigurationOrCode()
    {
        var fromConfig = NewBuilder(new()
        {
            ["ConnectionStrings:blogdb"] = "mongodb://db.example/blogdb",
            ["Aspire:MongoDB:Driver:DisableHealthChecks"] = "true",
        });
        var fromCode = NewBuilder(new() { ["ConnectionStrings:blogdb"] = "mongodb://db.example/blogdb" });

        fromConfig.AddMongoDBClient("blogdb");
        fromCode.AddMongoDBClient("blogdb", settings => settings.DisableHealthChecks = true);
        using var a = fromConfig.Build();
        using var b = fromCode.Build();

        Assert.DoesNotContain(HealthChecks(a), r => r.Name == "MongoDB.Driver");
        Assert.DoesNotContain(HealthChecks(b), r => r.Name == "MongoDB.Driver");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public void AHealthCheckTimeoutOfZeroOrLessMeansNoTimeoutAndDoesNotStopTheStart(string timeout)
    {
        var builder = NewBuilder(new()
        {
            ["ConnectionStrings:blogdb"] = "mongodb://db.example/blogdb",
            ["Aspire:MongoDB:Driver:HealthCheckTimeout"] = timeout,
        });

        builder.AddMongoDBClient("blogdb");
        using var host = builder.Build();

        var registration = Assert.Single(HealthChecks(host), r => r.Name == "MongoDB.Driver");
        Assert.Equal(Timeout.InfiniteTimeSpan, registration.Timeout);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnExistingHealthCheckOfTheSameNameIsKept(bool registeredFirst)
    {
        var builder = NewBuilder(new() { ["ConnectionStrings:blogdb"] = "mongodb://db.example/blogdb" });
        var own = new HealthCheckRegistration("MongoDB.Driver", _ => new PassingCheck(), failureStatus: null, tags: ["own"]);

        if (registeredFirst)
        {
            builder.Services.AddHealthChecks().Add(own);
            builder.AddMongoDBClient("blogdb");
        }
        else
        {
            builder.AddMongoDBClient("blogdb");
            builder.Services.AddHealthChecks().Add(own);
        }

        builder.AddMongoDBClient("blogdb"); // a second call adds no second registration either
        using var host = builder.Build();

        var registration = Assert.Single(HealthChecks(host), r => r.Name == "MongoDB.Driver");
        Assert.Same(own, registration);
    }

    private sealed class PassingCheck : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(HealthCheckResult.Healthy());
    }

    [Fact]
    public void NoDatabaseIsRegisteredWhenTheUrlNamesNone()
    {
        var builder = NewBuilder(new() { ["ConnectionStrings:server"] = "mongodb://db.example:27017/?authSource=admin" });

        builder.AddMongoDBClient("server");
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetService<IMongoClient>());
        Assert.Null(host.Services.GetService<IMongoDatabase>());
    }

    [Fact]
    public void AKeyedClientIsRegisteredUnderItsNameWithItsOwnHealthCheck()
    {
        var builder = NewBuilder(new() { ["ConnectionStrings:archive"] = "mongodb://archive.example/archivedb" });

        builder.AddKeyedMongoDBClient("archive");
        using var host = builder.Build();

        Assert.Null(host.Services.GetService<IMongoClient>());
        Assert.Equal("archive.example", host.Services.GetRequiredKeyedService<IMongoClient>("archive").Settings.Server.Host);
        Assert.Equal("archivedb", host.Services.GetRequiredKeyedService<IMongoDatabase>("archive").DatabaseNamespace.DatabaseName);
        Assert.Contains(HealthChecks(host), r => r.Name == "MongoDB.Driver_archive");
    }

    [Fact]
    public void TheDriverLogsThroughTheHostLoggerFactoryAndClientSettingsCanBeChanged()
    {
        var builder = NewBuilder(new() { ["ConnectionStrings:blogdb"] = "mongodb://db.example/blogdb" });

        builder.AddMongoDBClient("blogdb", configureClientSettings: settings => settings.ApplicationName = "blog-tests");
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<IMongoClient>();
        Assert.Same(host.Services.GetRequiredService<ILoggerFactory>(), client.Settings.LoggingSettings?.LoggerFactory);
        Assert.Equal("blog-tests", client.Settings.ApplicationName);
    }

    [Fact]
    public async Task TheHealthCheckReportsAnUnreachableServerAsUnhealthy()
    {
        var builder = NewBuilder(new() { ["ConnectionStrings:blogdb"] = "mongodb://127.0.0.1:1/blogdb?serverSelectionTimeoutMS=300&connectTimeoutMS=300" });
        builder.AddMongoDBClient("blogdb");
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["MongoDB.Driver"].Status);
    }

    [Fact]
    public async Task TheDriversOwnTracingIsRegisteredWithOpenTelemetryAndIsTheOnlySourceOfMongoSpans()
    {
        using var host = BuildTracedHost(new() { ["ConnectionStrings:blogdb"] = Unreachable }, out var ended);
        var client = host.Services.GetRequiredService<IMongoClient>();

        // Nothing of ours subscribes to the driver's command events: the driver's spans are the only ones per command.
        Assert.Null(client.Settings.ClusterConfigurator);
        Assert.False(client.Settings.TracingOptions?.Disabled ?? false);

        var traceId = await PingUnderOwnTraceAsync(client);

        // The OpenTelemetry provider built by the host received the driver's operation span (its source is registered).
        var spans = ended.Where(a => a.TraceId == traceId && a.Source.Name != TestSource.Name).ToList();
        Assert.NotEmpty(spans);
        Assert.All(spans, a => Assert.Equal(MongoTelemetry.ActivitySourceName, a.Source.Name));
    }

    [Fact]
    public async Task DisableTracingTurnsTheDriversTracingOffAndShowsNoMongoSpan()
    {
        using var host = BuildTracedHost(new()
        {
            ["ConnectionStrings:blogdb"] = Unreachable,
            ["Aspire:MongoDB:Driver:DisableTracing"] = "true",
        }, out var ended);
        var client = host.Services.GetRequiredService<IMongoClient>();
        Assert.True(client.Settings.TracingOptions?.Disabled);

        // A listener of our own, so that the driver has someone to emit to even without the provider's registration.
        var heard = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MongoTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = heard.Add,
        };
        ActivitySource.AddActivityListener(listener);

        var traceId = await PingUnderOwnTraceAsync(client);

        Assert.DoesNotContain(ended, a => a.TraceId == traceId && a.Source.Name == MongoTelemetry.ActivitySourceName);
        Assert.DoesNotContain(heard, a => a.TraceId == traceId);
    }

    [Fact]
    public async Task OnAServerEachCommandShowsOnceUnderItsOperation()
    {
        var connectionString = TestEnvironment.SkipUnlessConfigured(
            MongoDbFixture.EnvironmentVariable, $"needs a MongoDB server: set {MongoDbFixture.EnvironmentVariable} (see README, Tests)");
        using var host = BuildTracedHost(new() { ["ConnectionStrings:blogdb"] = connectionString }, out var ended);
        var client = host.Services.GetRequiredService<IMongoClient>();

        var traceId = await PingUnderOwnTraceAsync(client);

        // Handshake and SCRAM traffic (saslContinue is sent more than once by design), if the driver traces it, is not
        // the command under test.
        string[] handshake = ["hello", "isMaster", "saslStart", "saslContinue", "authenticate"];
        var spans = ended.Where(a => a.TraceId == traceId && a.Source.Name == MongoTelemetry.ActivitySourceName
            && !handshake.Any(h => a.DisplayName.StartsWith(h, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.NotEmpty(spans);
        // One span per (parent, name): a second tracer would add a sibling with the same command name.
        Assert.All(spans.GroupBy(a => (a.ParentSpanId, a.DisplayName)), g => Assert.Single(g));
    }

    [Theory]
    [InlineData("E11000 duplicate key error collection: blogdb.users index: username_unique dup key: { normalizedUsername: \"alice\" }", "username")]
    [InlineData("E11000 duplicate key error collection: blogdb.users index: email_unique dup key: { normalizedEmail: \"a@b.c\" }", "email")]
    [InlineData("E11000 duplicate key error collection: blogdb.posts index: slug_unique dup key: { slug: \"hello\" }", "slug")]
    [InlineData("E11000 duplicate key error collection: blogdb.posts index: _id_ dup key: { _id: \"1\" }", "id")]
    public void MongoDuplicateKeyErrorsNameTheRequestField(string message, string field) =>
        Assert.Equal(field, MongoContext.FieldOfIndex(message));

    [Theory]
    [InlineData("Cannot insert duplicate key in unique index 'NormalizedUsername'. The duplicate value is '\"alice\"'.", "username")]
    [InlineData("Cannot insert duplicate key in unique index 'NormalizedEmail'. The duplicate value is '\"a@b.c\"'.", "email")]
    [InlineData("Cannot insert duplicate key in unique index 'Slug'. The duplicate value is '\"hello\"'.", "slug")]
    [InlineData("Cannot insert duplicate key in unique index '_id'. The duplicate value is '\"1\"'.", "id")]
    public void LiteDbDuplicateKeyErrorsNameTheRequestField(string message, string field) =>
        Assert.Equal(field, LiteDbContext.FieldOfIndex(message));

    [Fact]
    public void MongoDocumentsUseCamelCaseNamesStringIdsAndUtcMillisecondDates()
    {
        _ = MongoContext.ElementName<Post>(nameof(Post.Id)); // registers the conventions, as any use of the store does
        var post = new Post
        {
            Id = "p1",
            Slug = "hello",
            Title = "Hello",
            Summary = "",
            AuthorId = "a1",
            CreatedAt = new DateTime(2025, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc),
            Tags = ["x"],
        };

        var document = post.ToBsonDocument();
        var back = BsonSerializer.Deserialize<Post>(document);

        Assert.Equal("p1", document["_id"].AsString);
        Assert.False(document.Contains("id"));
        Assert.Equal(["_id", "slug", "title", "summary", "body", "tags", "status", "authorId", "createdAt", "updatedAt", "publishedAt", "version", "searchTerms", "commentCount"],
            document.Names);
        Assert.Equal(BsonType.DateTime, document["createdAt"].BsonType);
        Assert.Equal(post.CreatedAt, back.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, back.CreatedAt.Kind);
        Assert.Equal("", back.Summary);
        Assert.Equal("normalizedUsername", MongoContext.ElementName<User>(nameof(User.NormalizedUsername)));
    }

    private static HostApplicationBuilder NewBuilder(Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        return builder;
    }

    private static IEnumerable<HealthCheckRegistration> HealthChecks(IHost host) =>
        host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

    private const string Unreachable = "mongodb://127.0.0.1:1/blogdb?serverSelectionTimeoutMS=200&connectTimeoutMS=200";

    private static readonly ActivitySource TestSource = new($"mongo-client-tests-{Guid.NewGuid():N}");

    /// <summary>A host whose OpenTelemetry tracer provider (built by the host, as in the app) records every span it ends.</summary>
    private static IHost BuildTracedHost(Dictionary<string, string?> configuration, out ConcurrentQueue<Activity> ended)
    {
        var builder = NewBuilder(configuration);
        var sink = new ConcurrentQueue<Activity>();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(TestSource.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new RecordingProcessor(sink)));
        builder.AddMongoDBClient("blogdb");
        ended = sink;
        var host = builder.Build();
        _ = host.Services.GetRequiredService<TracerProvider>();
        return host;
    }

    /// <summary>Runs a ping (it fails fast on an unreachable server) under a parent span of this test's own; returns its trace.</summary>
    private static async Task<ActivityTraceId> PingUnderOwnTraceAsync(IMongoClient client)
    {
        using var parent = TestSource.StartActivity("test") ?? throw new InvalidOperationException("the test's tracer provider does not listen");
        try
        {
            await client.GetDatabase("blogdb").RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: Ct);
        }
        catch (TimeoutException)
        {
            // No server here: the operation still starts (and ends) its span.
        }

        return parent.TraceId;
    }

    private sealed class RecordingProcessor(ConcurrentQueue<Activity> sink) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => sink.Enqueue(data);
    }
}
