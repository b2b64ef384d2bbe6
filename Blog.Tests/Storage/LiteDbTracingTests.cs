using System.Collections.Concurrent;
using System.Diagnostics;
using Blog.Api.Storage;
using Blog.Api.Storage.LiteDB;
using Blog.Tests.ServiceDefaults;
using OpenTelemetry.Trace;

namespace Blog.Tests.Storage;

/// <summary>
/// The embedded store's spans (ActivitySource <c>Blog.Storage</c>): one client span per store operation, child of the
/// caller's span, so a trace reaches the database without MongoDB. Other tests in the process also write LiteDB files
/// while these run, so only the spans under this test's own parent activity are looked at.
/// </summary>
public sealed class LiteDbTracingTests(LiteDbFixture fixture) : IClassFixture<LiteDbFixture>, IAsyncLifetime
{
    private static readonly DateTime Now = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    // Every store method, keyed Interface.Method, with the span it must produce. Seeded before each call: the user
    // "u1" (alice), the published post "p1" (slug "hello", tag "dotnet"), its comment "c1" and the refresh token "t1".
    private static readonly Dictionary<string, (string Span, Func<StoreSet, Task> Call)> Operations = new()
    {
        ["IUserStore.FindByIdAsync"] = ("find users", s => s.Users.FindByIdAsync("u1")),
        ["IUserStore.FindByUsernameAsync"] = ("find users", s => s.Users.FindByUsernameAsync("alice")),
        ["IUserStore.FindByLoginAsync"] = ("find users", s => s.Users.FindByLoginAsync("alice@example.com")),
        ["IUserStore.CreateAsync"] = ("insert users", s => s.Users.CreateAsync(NewUser("u2", "bob"))),
        ["IUserStore.UpdateProfileAsync"] = ("update users", s => s.Users.UpdateProfileAsync("u1", "Alice", "bio")),
        ["IUserStore.SetPasswordHashAsync"] = ("update users", s => s.Users.SetPasswordHashAsync("u1", "hash2")),
        ["IUserStore.ListAsync"] = ("find users", s => s.Users.ListAsync("ali", 1, 10)),
        ["IUserStore.CountAsync"] = ("count users", s => s.Users.CountAsync()),
        ["IUserStore.ChangeAccountAsync"] = ("update users", s => s.Users.ChangeAccountAsync("u1", Roles.Author, null)),
        ["IUserStore.EndSessionsAsync"] = ("update users", s => s.Users.EndSessionsAsync("u1")),

        ["IPostStore.CreateAsync"] = ("insert posts", s => s.Posts.CreateAsync(NewPost("p2", "second"))),
        ["IPostStore.FindBySlugAsync"] = ("find posts", s => s.Posts.FindBySlugAsync("hello")),
        ["IPostStore.FindByIdAsync"] = ("find posts", s => s.Posts.FindByIdAsync("p1")),
        ["IPostStore.ListAsync"] = ("find posts", s => s.Posts.ListAsync(new PostQuery())),
        ["IPostStore.UpdateAsync"] = ("update posts", s => s.Posts.UpdateAsync(NewPost("p1", "hello"), 1)),
        ["IPostStore.DeleteAsync"] = ("delete posts", s => s.Posts.DeleteAsync("p1")),
        ["IPostStore.GetTagCountsAsync"] = ("aggregate posts", s => s.Posts.GetTagCountsAsync()),

        ["ICommentStore.CreateAsync"] = ("insert comments", s => s.Comments.CreateAsync(NewComment("c2"))),
        ["ICommentStore.FindAsync"] = ("find comments", s => s.Comments.FindAsync("p1", "c1")),
        ["ICommentStore.ListAsync"] = ("find comments", s => s.Comments.ListAsync("p1", false, 1, 10)),
        ["ICommentStore.UpdateBodyAsync"] = ("update comments", s => s.Comments.UpdateBodyAsync("p1", "c1", "Edited.", Now)),
        ["ICommentStore.SetHiddenAsync"] = ("update comments", s => s.Comments.SetHiddenAsync("p1", "c1", true)),
        ["ICommentStore.DeleteAsync"] = ("delete comments", s => s.Comments.DeleteAsync("p1", "c1")),

        ["IRefreshTokenStore.CreateAsync"] = ("insert refreshTokens", s => s.Tokens.CreateAsync(NewToken("t2"))),
        ["IRefreshTokenStore.FindByIdAsync"] = ("find refreshTokens", s => s.Tokens.FindByIdAsync("t1")),
        ["IRefreshTokenStore.CreateFamilyAsync"] = ("insert refreshFamilies", s => s.Tokens.CreateFamilyAsync(NewFamily("f2"))),
        ["IRefreshTokenStore.FindFamilyAsync"] = ("find refreshFamilies", s => s.Tokens.FindFamilyAsync("f1")),
        ["IRefreshTokenStore.FindByHashAsync"] = ("find refreshTokens", s => s.Tokens.FindByHashAsync("hash-t1")),
        ["IRefreshTokenStore.TryConsumeAsync"] = ("update refreshTokens", s => s.Tokens.TryConsumeAsync("t1", Now)),
        ["IRefreshTokenStore.RevokeAsync"] = ("update refreshTokens", s => s.Tokens.RevokeAsync("t1", Now)),
        ["IRefreshTokenStore.RevokeFamilyAsync"] = ("update refreshTokens", s => s.Tokens.RevokeFamilyAsync("f1", Now)),
        ["IRefreshTokenStore.RevokeAllForUserAsync"] = ("update refreshTokens", s => s.Tokens.RevokeAllForUserAsync("u1", Now)),
        ["IRefreshTokenStore.DeleteExpiredAsync"] = ("delete refreshTokens", s => s.Tokens.DeleteExpiredAsync(Now.AddDays(30))),

        ["ISignInAttemptStore.IncrementAsync"] = ("update signInAttempts", s => s.Attempts.IncrementAsync("k1", Now.AddHours(1))),
        ["ISignInAttemptStore.GetAsync"] = ("find signInAttempts", s => s.Attempts.GetAsync("k1")),
        ["ISignInAttemptStore.DeleteExpiredAsync"] = ("delete signInAttempts", s => s.Attempts.DeleteExpiredAsync(Now.AddDays(1))),
    };

    private StoreSet _stores = null!;

    public static TheoryData<string> OperationNames => [.. Operations.Keys];

    public async ValueTask InitializeAsync()
    {
        _stores = await fixture.ResetAsync(Ct);
        await _stores.Users.CreateAsync(NewUser("u1", "alice"), Ct);
        await _stores.Posts.CreateAsync(NewPost("p1", "hello"), Ct);
        await _stores.Comments.CreateAsync(NewComment("c1"), Ct);
        await _stores.Tokens.CreateAsync(NewToken("t1"), Ct);
        await _stores.Tokens.CreateFamilyAsync(NewFamily("f1"), Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [MemberData(nameof(OperationNames))]
    public async Task EachStoreOperationIsOneClientSpanUnderTheCallersSpan(string operation)
    {
        var (expectedName, call) = Operations[operation];
        using var recorder = new SpanRecorder();

        var spans = await recorder.UnderParentAsync(() => call(_stores));

        var span = Assert.Single(spans);
        Assert.Equal(expectedName, span.DisplayName);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        var (operationName, collection) = (expectedName.Split(' ')[0], expectedName.Split(' ')[1]);
        Assert.Equal("litedb", span.GetTagItem("db.system.name"));
        Assert.Equal("litedb", span.GetTagItem("db.system"));
        Assert.Equal(operationName, span.GetTagItem("db.operation.name"));
        Assert.Equal(collection, span.GetTagItem("db.collection.name"));
    }

    [Fact]
    public void EveryStoreMethodIsCovered()
    {
        var methods = new[] { typeof(IUserStore), typeof(IPostStore), typeof(ICommentStore), typeof(IRefreshTokenStore), typeof(ISignInAttemptStore) }
            .SelectMany(type => type.GetMethods().Select(method => $"{type.Name}.{method.Name}"))
            .Order()
            .ToList();

        Assert.Equal(methods, Operations.Keys.Order().ToList());
    }

    [Fact]
    public async Task AFailedOperationIsAnErrorSpan()
    {
        using var recorder = new SpanRecorder();

        var spans = await recorder.UnderParentAsync(() =>
            Assert.ThrowsAsync<DuplicateKeyException>(() => _stores.Users.CreateAsync(NewUser("u3", "alice"), Ct)));

        var span = Assert.Single(spans);
        Assert.Equal("insert users", span.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("The username is already taken.", span.StatusDescription);
        Assert.Equal(typeof(DuplicateKeyException).FullName, span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task AHostWithTheServiceDefaultsExportsTheStoresSpans()
    {
        // The host's own source (its application name) starts the caller's span, as a request would.
        var name = $"storage-tracing-{Guid.NewGuid():N}";
        var exported = new ExportedSpans();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = name, DisableDefaults = true });
        builder.AddServiceDefaults();
        exported.AddTo(builder.Services);
        using var host = builder.Build();
        var tracerProvider = host.Services.GetRequiredService<TracerProvider>(); // building it starts its listener
        using var source = new ActivitySource(name);

        using (var request = source.StartActivity("GET /posts/{slug}"))
        {
            Assert.NotNull(request);
            await _stores.Posts.FindBySlugAsync("hello", Ct);
            request.Stop();
            tracerProvider.ForceFlush();

            // Other tests' hosts also export the process's Blog.Storage spans: only this request's child is looked at.
            var span = Assert.Single(exported.All, s => s.ParentSpanId == request.SpanId);
            Assert.Equal((LiteDbTracing.ActivitySourceName, "find posts"), (span.Source.Name, span.DisplayName));
        }
    }

    private static User NewUser(string id, string username) => TestDocuments.User(id, username, Now);

    private static Post NewPost(string id, string slug) => TestDocuments.Post(id, slug, Now);

    private static Comment NewComment(string id) => TestDocuments.Comment(id, Now);

    private static RefreshToken NewToken(string id) => TestDocuments.Token(id, Now);

    private static RefreshFamily NewFamily(string id) => TestDocuments.Family(id, Now);

    /// <summary>Records the stopped <c>Blog.Storage</c> activities of the whole process (listeners are global).</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly ActivityListener _listener;

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == LiteDbTracing.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _stopped.Enqueue,
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>Runs <paramref name="call"/> under a fresh parent activity; returns the spans that are its children.</summary>
        public async Task<List<Activity>> UnderParentAsync(Func<Task> call)
        {
            using var parent = new Activity("test request").Start();
            await call();
            parent.Stop();
            return [.. _stopped.Where(a => a.TraceId == parent.TraceId && a.ParentSpanId == parent.SpanId)];
        }

        public void Dispose() => _listener.Dispose();
    }
}
