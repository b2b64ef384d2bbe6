using Blog.Api.Storage;
using Blog.Api.Storage.MongoDB;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Tests.Storage;

/// <summary>
/// MongoDB-only behaviour that the shared contract cannot reach through the store interfaces: a stalled account change,
/// and a start on a database made by an earlier version. Skipped without <c>BLOG_TEST_MONGODB</c>, like the contract on MongoDB.
/// </summary>
public sealed class MongoDbOnlyStoreTests(MongoDbFixture fixture) : IClassFixture<MongoDbFixture>, IAsyncLifetime
{
    private StoreSet _stores = null!;

    public async ValueTask InitializeAsync()
    {
        TestEnvironment.SkipIfMissing(fixture.SkipReason);
        _stores = await fixture.ResetAsync(Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task AnAccountChangeStalledPastAConcurrentOneIsFencedOutAndOneEnabledAdminRemains()
    {
        var users = (MongoUserStore)_stores.Users;
        var a = NewAdmin("stalled-a");
        var b = NewAdmin("fast-b");
        await users.CreateAsync(a, Ct);
        await users.CreateAsync(b, Ct);

        var reachedWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stalls = 0;
        users.BeforeAccountWrite = async _ =>
        {
            if (Interlocked.Increment(ref stalls) == 1)
            {
                reachedWrite.SetResult();
                await resume.Task;
            }
        };
        try
        {
            // A has read both Admins and stamped B, then stalls (as a paused or slow replica would) before writing.
            var stalled = users.ChangeAccountAsync(a.Id, Roles.Reader, null, Ct);
            await reachedWrite.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);

            // Meanwhile B's demotion runs to the end with a newer token.
            Assert.Equal(AccountChangeResult.Changed, await users.ChangeAccountAsync(b.Id, Roles.Reader, null, Ct));

            resume.SetResult();
            Assert.Equal(AccountChangeResult.LastAdmin, await stalled);
        }
        finally
        {
            users.BeforeAccountWrite = null;
            resume.TrySetResult();
        }

        Assert.Equal(Roles.Admin, (await users.FindByIdAsync(a.Id, Ct))!.Role);
        Assert.Equal(Roles.Reader, (await users.FindByIdAsync(b.Id, Ct))!.Role);
    }

    [Fact]
    public async Task AStartOnADatabaseWithTheOldCommentsIndexSucceedsAndIndexesTheWholeCommentSort()
    {
        var comments = fixture.Context.Comments;
        await comments.Indexes.DropAllAsync(Ct);
        // Version 1's index: same name as before, fewer keys. Re-creating that name with new keys fails with code 86.
        await comments.Indexes.CreateOneAsync(
            new CreateIndexModel<Comment>(
                new BsonDocument { { "postId", 1 }, { "createdAt", 1 } },
                new CreateIndexOptions { Name = MongoStoreInitializer.OldCommentsIndex }),
            cancellationToken: Ct);

        await _stores.Initializer.InitializeAsync(Ct);
        await _stores.Initializer.InitializeAsync(Ct);

        using var cursor = await comments.Indexes.ListAsync(Ct);
        var indexes = await cursor.ToListAsync(Ct);
        var names = indexes.Select(i => i["name"].AsString).ToList();
        Assert.DoesNotContain(MongoStoreInitializer.OldCommentsIndex, names);
        var index = Assert.Single(indexes, i => i["name"].AsString == MongoStoreInitializer.CommentsIndex);
        Assert.Equal(new BsonDocument { { "postId", 1 }, { "createdAt", 1 }, { "_id", 1 } }, index["key"].AsBsonDocument);
    }

    [Fact]
    public async Task UsersStoredBeforeTheDisplayNameKeyAreFoundByDisplayNameAfterAStart()
    {
        var old = NewAdmin("old-user");
        old.DisplayName = "Grace Hopper";
        await _stores.Users.CreateAsync(old, Ct);
        await fixture.Context.Users.UpdateOneAsync(
            Builders<User>.Filter.Eq(u => u.Id, old.Id), Builders<User>.Update.Unset(u => u.NormalizedDisplayName), cancellationToken: Ct);
        Assert.Empty((await _stores.Users.ListAsync("hopper", 1, 10, Ct)).Items);

        await _stores.Initializer.InitializeAsync(Ct);

        Assert.Equal([old.Id], (await _stores.Users.ListAsync("hopper", 1, 10, Ct)).Items.Select(u => u.Id));
    }

    private static User NewAdmin(string username) =>
        TestDocuments.User(Guid.NewGuid().ToString("N"), username, DateTime.UtcNow, Roles.Admin);
}
