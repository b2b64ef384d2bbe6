using System.Diagnostics;
using System.Net;
using Aspire.MongoDB.Driver;
using Blog.Api.Storage;
using Blog.Api.Storage.LiteDB;
using Blog.Api.Storage.MongoDB;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Events;
using MongoDB.Driver.Core.Servers;

namespace Blog.Tests.Storage;

/// <summary>
/// The AddMongoDBClient stand-in and the MongoDB mapping, checked without a server: the client connects lazily, the
/// tracer is fed the driver's own event types, and documents are serialised with the registered conventions.
/// </summary>
public sealed class MongoDBClientIntegrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
        Assert.NotNull(client.Settings.ClusterConfigurator);
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
    public void EachCommandBecomesOneClientSpanWithDatabaseTags()
    {
        var tracer = new MongoCommandTracer();
        var stopped = new List<Activity>();
        using var listener = Listen(stopped);
        var connection = new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("mongo.internal", 27017)));
        using var parent = new Activity("request").Start();

        tracer.OnStarted(new CommandStartedEvent("find", new BsonDocument { { "find", "posts" }, { "filter", new BsonDocument("slug", "x") } },
            new DatabaseNamespace("blogdb"), 1, 41, connection));
        var currentAfterStart = Activity.Current;
        tracer.OnStarted(new CommandStartedEvent("insert", new BsonDocument("insert", "users"), new DatabaseNamespace("blogdb"), 2, 42, connection));
        tracer.OnSucceeded(new CommandSucceededEvent("find", new BsonDocument("ok", 1), new DatabaseNamespace("blogdb"), 1, 41, connection, TimeSpan.FromMilliseconds(3)));
        tracer.OnFailed(new CommandFailedEvent("insert", new DatabaseNamespace("blogdb"), new TimeoutException("boom"), 2, 42, connection, TimeSpan.FromMilliseconds(5)));

        Assert.Same(parent, currentAfterStart);
        Assert.Equal(2, stopped.Count);
        var find = stopped[0];
        Assert.Equal("find posts", find.DisplayName);
        Assert.Equal(ActivityKind.Client, find.Kind);
        Assert.Equal(parent.TraceId, find.TraceId);
        Assert.Equal("mongodb", find.GetTagItem("db.system.name"));
        Assert.Equal("mongodb", find.GetTagItem("db.system"));
        Assert.Equal("find", find.GetTagItem("db.operation.name"));
        Assert.Equal("posts", find.GetTagItem("db.collection.name"));
        Assert.Equal("blogdb", find.GetTagItem("db.namespace"));
        Assert.Equal("mongo.internal", find.GetTagItem("server.address"));
        Assert.Equal(27017, find.GetTagItem("server.port"));
        Assert.Equal(ActivityStatusCode.Unset, find.Status);
        var insert = stopped[1];
        Assert.Equal("insert users", insert.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, insert.Status);
        Assert.Equal(typeof(TimeoutException).FullName, insert.GetTagItem("error.type"));
    }

    [Fact]
    public void HandshakeAndAuthenticationCommandsAreNotTraced()
    {
        var tracer = new MongoCommandTracer();
        var stopped = new List<Activity>();
        using var listener = Listen(stopped);
        var connection = new ConnectionId(new ServerId(new ClusterId(), new DnsEndPoint("mongo.internal", 27017)));

        tracer.OnStarted(new CommandStartedEvent("saslStart", new BsonDocument("saslStart", 1), new DatabaseNamespace("admin"), 1, 51, connection));
        tracer.OnSucceeded(new CommandSucceededEvent("saslStart", new BsonDocument("ok", 1), new DatabaseNamespace("admin"), 1, 51, connection, TimeSpan.Zero));

        Assert.Empty(stopped);
    }

    [Theory]
    [InlineData("find", "{ find: 'posts', filter: { } }", "posts")]
    [InlineData("getMore", "{ getMore: NumberLong(5), collection: 'comments' }", "comments")]
    [InlineData("aggregate", "{ aggregate: 1, pipeline: [] }", null)]
    [InlineData("ping", "{ ping: 1 }", null)]
    public void TheCollectionIsReadFromTheCommand(string commandName, string command, string? expected) =>
        Assert.Equal(expected, MongoCommandTracer.CollectionOf(commandName, BsonDocument.Parse(command)));

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

    private static ActivityListener Listen(List<Activity> stopped)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MongoCommandTracer.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
