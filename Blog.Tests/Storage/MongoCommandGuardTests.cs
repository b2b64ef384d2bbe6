using Blog.Api.Storage;
using Blog.Api.Storage.MongoDB;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Blog.Tests.Storage;

/// <summary>
/// The guard that runs without a server: it drives every method of the real MongoDB store classes against
/// <see cref="RecordingMongoDatabase"/>, renders each filter, update, sort, projection, pipeline, inserted document and
/// index definition to BSON with the driver's serializers, and checks them against rules the MongoDB server enforces
/// (or that the stores' correctness needs). It is no substitute for a server: the contract suite runs on MongoDB wherever
/// <c>BLOG_TEST_MONGODB</c> is set. A new store method fails <see cref="EveryMongoDbStoreMethodIsDrivenByTheGuard"/> until
/// it gets a driver below.
/// </summary>
public sealed class MongoCommandGuardTests
{
    private static readonly Type[] StoreInterfaces =
        [typeof(IUserStore), typeof(IPostStore), typeof(ICommentStore), typeof(IRefreshTokenStore), typeof(ISignInAttemptStore), typeof(IStoreInitializer)];

    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    static MongoCommandGuardTests() =>
        // The stores' camelCase conventions are registered by MongoContext's static constructor; they must be in place
        // before anything (the canned documents here) makes the driver build and freeze a class map.
        System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(MongoContext).TypeHandle);

    /// <summary>How each store method is driven, by "Interface.Method"; several calls where a method has several paths.</summary>
    private static readonly Dictionary<string, Func<StoreSet, Task>> Drivers = new()
    {
        ["IUserStore.FindByIdAsync"] = s => s.Users.FindByIdAsync("u1", Ct),
        ["IUserStore.FindByUsernameAsync"] = s => s.Users.FindByUsernameAsync("Alice", Ct),
        ["IUserStore.FindByLoginAsync"] = s => s.Users.FindByLoginAsync("alice@example.com", Ct),
        ["IUserStore.CreateAsync"] = s => s.Users.CreateAsync(NewUser("new-user"), Ct),
        ["IUserStore.UpdateProfileAsync"] = s => s.Users.UpdateProfileAsync("u1", "\u0130nce", "bio", Ct),
        ["IUserStore.SetPasswordHashAsync"] = s => s.Users.SetPasswordHashAsync("u1", "hash", Ct),
        ["IUserStore.ListAsync"] = async s =>
        {
            await s.Users.ListAsync(null, 1, 10, Ct);
            // NUL, a control character, '$' and a cut surrogate pair: the text a regex or a C string could not carry.
            await s.Users.ListAsync("$a\0b\u0001.*\uD83D", 2, 10, Ct);
        },
        ["IUserStore.CountAsync"] = s => s.Users.CountAsync(Ct),
        ["IUserStore.EndSessionsAsync"] = s => s.Users.EndSessionsAsync("u1", Ct),
        ["IUserStore.ChangeAccountAsync"] = async s =>
        {
            await s.Users.ChangeAccountAsync("u1", Roles.Reader, null, Ct); // removes an enabled Admin: stamps another
            await s.Users.ChangeAccountAsync("u1", null, true, Ct);
            await s.Users.ChangeAccountAsync("u1", Roles.Admin, false, Ct);
        },

        ["IPostStore.CreateAsync"] = s => s.Posts.CreateAsync(NewPost("p-new"), Ct),
        ["IPostStore.FindBySlugAsync"] = s => s.Posts.FindBySlugAsync("slug", Ct),
        ["IPostStore.FindByIdAsync"] = s => s.Posts.FindByIdAsync("p1", Ct),
        ["IPostStore.ListAsync"] = async s =>
        {
            await s.Posts.ListAsync(new PostQuery(), Ct);
            await s.Posts.ListAsync(new PostQuery { Tag = "aspire", AuthorId = "u1", Terms = ["word"], Page = 2 }, Ct);
            await s.Posts.ListAsync(new PostQuery { Status = PostStatus.Draft, AuthorId = "u1" }, Ct);
        },
        ["IPostStore.UpdateAsync"] = s => s.Posts.UpdateAsync(NewPost("p1"), 1, Ct),
        ["IPostStore.DeleteAsync"] = s => s.Posts.DeleteAsync("p1", Ct),
        ["IPostStore.GetTagCountsAsync"] = s => s.Posts.GetTagCountsAsync(Ct),

        ["ICommentStore.CreateAsync"] = s => s.Comments.CreateAsync(NewComment("c-new"), Ct),
        ["ICommentStore.FindAsync"] = s => s.Comments.FindAsync("p1", "c1", Ct),
        ["ICommentStore.ListAsync"] = async s =>
        {
            await s.Comments.ListAsync("p1", false, 1, 10, Ct);
            await s.Comments.ListAsync("p1", true, 2, 10, Ct);
        },
        ["ICommentStore.UpdateBodyAsync"] = s => s.Comments.UpdateBodyAsync("p1", "c1", "edited", Now, Ct),
        ["ICommentStore.SetHiddenAsync"] = s => s.Comments.SetHiddenAsync("p1", "c1", true, Ct),
        ["ICommentStore.DeleteAsync"] = s => s.Comments.DeleteAsync("p1", "c1", Ct),

        ["IRefreshTokenStore.CreateAsync"] = s => s.Tokens.CreateAsync(NewToken("t-new"), Ct),
        ["IRefreshTokenStore.FindByHashAsync"] = s => s.Tokens.FindByHashAsync("hash", Ct),
        ["IRefreshTokenStore.FindByIdAsync"] = s => s.Tokens.FindByIdAsync("t1", Ct),
        ["IRefreshTokenStore.CreateFamilyAsync"] = s => s.Tokens.CreateFamilyAsync(NewFamily("f-new"), Ct),
        ["IRefreshTokenStore.FindFamilyAsync"] = s => s.Tokens.FindFamilyAsync("f1", Ct),
        ["IRefreshTokenStore.TryConsumeAsync"] = s => s.Tokens.TryConsumeAsync("t1", Now, Ct),
        ["IRefreshTokenStore.RevokeAsync"] = s => s.Tokens.RevokeAsync("t1", Now, Ct),
        ["IRefreshTokenStore.RevokeFamilyAsync"] = s => s.Tokens.RevokeFamilyAsync("f1", Now, Ct),
        ["IRefreshTokenStore.RevokeAllForUserAsync"] = s => s.Tokens.RevokeAllForUserAsync("u1", Now, Ct),
        ["IRefreshTokenStore.DeleteExpiredAsync"] = s => s.Tokens.DeleteExpiredAsync(Now, Ct),

        ["ISignInAttemptStore.IncrementAsync"] = s => s.Attempts.IncrementAsync("window-key", Now.AddMinutes(15), Ct),
        ["ISignInAttemptStore.GetAsync"] = s => s.Attempts.GetAsync("window-key", Ct),
        ["ISignInAttemptStore.DeleteExpiredAsync"] = s => s.Attempts.DeleteExpiredAsync(Now, Ct),

        ["IStoreInitializer.InitializeAsync"] = s => s.Initializer.InitializeAsync(Ct),
    };

    [Fact]
    public void EveryMongoDbStoreMethodIsDrivenByTheGuard()
    {
        var methods = StoreInterfaces.SelectMany(i => i.GetMethods().Select(m => $"{i.Name}.{m.Name}")).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(methods.Except(Drivers.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(Drivers.Keys.Except(methods).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task EveryDrivenStoreMethodSendsCommandsThatSerializeToBson()
    {
        var commands = await DriveAllAsync();

        foreach (var method in Drivers.Keys)
        {
            Assert.Contains(commands, c => c.StoreMethod == method);
        }

        // ToBson writes as the driver does on the wire: strict UTF-8 (no lone surrogate) and C strings without NUL for
        // element names and regular expressions. Admin search used to fail exactly here.
        foreach (var command in commands)
        {
            foreach (var part in command.Parts())
            {
                var wrapped = new BsonDocument("v", part);
                var error = Record.Exception(() => wrapped.ToBson());
                Assert.True(error is null, $"{command.StoreMethod} {command.Method} on {command.Collection}: {error?.Message}");
            }
        }
    }

    [Fact]
    public async Task NoUpsertHasExprInItsFilter()
    {
        var commands = await DriveAllAsync();
        var upserts = commands.Where(c => c.IsUpsert).ToList();

        // The fencing counter is one; without any, this rule would check nothing.
        Assert.NotEmpty(upserts);
        foreach (var upsert in upserts)
        {
            Assert.NotNull(upsert.Filter);
            Assert.False(Keys(upsert.Filter).Contains("$expr"),
                $"{upsert.StoreMethod}: an upsert's filter has $expr, which the server refuses (code 224): {upsert.Filter}");
        }
    }

    [Fact]
    public async Task TtlIndexedFieldsAreAlwaysWrittenAsDates()
    {
        var commands = await DriveAllAsync();
        var ttlFields = commands
            .Where(c => c.Method == "createIndex" && c.IndexOptions?.ExpireAfter is not null)
            .Select(c => (c.Collection, Field: Assert.Single(c.IndexKeys!.Names)))
            .ToList();

        Assert.NotEmpty(ttlFields);
        foreach (var (collection, field) in ttlFields)
        {
            // Inserted documents and every update operator or pipeline stage that writes the field ($set, $setOnInsert).
            var writes = commands
                .Where(c => c.Collection == collection && c.Document is not null && c.Document.Contains(field))
                .Select(c => (Value: c.Document![field], Command: c))
                .Concat(WrittenFields(commands.Where(c => c.Collection == collection))
                    .Where(w => w.Name == field)
                    .Select(w => (w.Value, w.Command)))
                .ToList();

            Assert.NotEmpty(writes);
            foreach (var (value, command) in writes)
            {
                // The TTL monitor ignores a document whose field is not a date: it would never expire.
                Assert.True(value is BsonDateTime, $"{command.StoreMethod} writes {collection}.{field} as {value.BsonType}");
            }
        }
    }

    [Fact]
    public async Task EveryFilteredSortIsServedByAnIndexWithThatPrefix()
    {
        var commands = await DriveAllAsync();
        var indexes = commands.Where(c => c.Method == "createIndex")
            .Select(c => (c.Collection, Keys: c.IndexKeys!))
            .Concat(commands.Select(c => c.Collection).Distinct().Select(c => (Collection: c, Keys: new BsonDocument("_id", 1))))
            .ToList();
        var sorted = commands.Where(c => c.Sort is { ElementCount: > 0 }).ToList();

        Assert.NotEmpty(sorted);
        foreach (var find in sorted)
        {
            var equalities = EqualityFields(find.Filter ?? []);
            Assert.True(
                indexes.Any(i => i.Collection == find.Collection && Serves(i.Keys, equalities, find.Sort!)),
                $"{find.StoreMethod}: no index on {find.Collection} serves filter {find.Filter} with sort {find.Sort}");
        }
    }

    [Fact]
    public async Task NoStoredFieldNameStartsWithDollarOrContainsADot()
    {
        var commands = await DriveAllAsync();
        var inserted = commands.Where(c => c.Document is not null).ToList();

        Assert.NotEmpty(inserted);
        foreach (var insert in inserted)
        {
            foreach (var name in Keys(insert.Document!))
            {
                Assert.False(name.StartsWith('$') || name.Contains('.'), $"{insert.StoreMethod} stores a field named '{name}'");
            }
        }

        var written = WrittenFields(commands).ToList();
        Assert.NotEmpty(written);
        foreach (var (name, _, command) in written)
        {
            Assert.False(name.StartsWith('$') || name.Contains('.'), $"{command.StoreMethod} writes a field named '{name}'");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<List<RecordedCommand>> DriveAllAsync()
    {
        var (database, recorder) = RecordingMongoDatabase.Create();
        Seed(recorder);
        var context = new MongoContext(database);
        var stores = new StoreSet(
            new MongoUserStore(context, new MongoAdminFence(context)),
            new MongoPostStore(context),
            new MongoCommentStore(context),
            new MongoRefreshTokenStore(context),
            new MongoSignInAttemptStore(context),
            new MongoStoreInitializer(context));

        foreach (var (method, drive) in Drivers)
        {
            recorder.CurrentStoreMethod = method;
            await drive(stores);
        }

        return recorder.Commands;
    }

    /// <summary>Canned documents that lead every branch somewhere: an enabled Admin to demote, an orphan comment, a wrong count.</summary>
    private static void Seed(RecordingMongoDatabase recorder)
    {
        var admin = NewUser("u1");
        admin.Role = Roles.Admin;
        var other = NewUser("u2");
        other.Role = Roles.Admin;
        var post = NewPost("p1");
        post.CommentCount = 3;
        var orphan = NewComment("c2");
        orphan.PostId = "deleted-post";
        recorder.Canned[MongoContext.UsersCollection] = [admin.ToBsonDocument(), other.ToBsonDocument()];
        recorder.Canned[MongoContext.PostsCollection] = [post.ToBsonDocument()];
        recorder.Canned[MongoContext.CommentsCollection] = [NewComment("c1").ToBsonDocument(), orphan.ToBsonDocument()];
        recorder.Canned[MongoContext.RefreshTokensCollection] = [NewToken("t1").ToBsonDocument()];
        recorder.Canned[MongoContext.RefreshFamiliesCollection] = [NewFamily("f1").ToBsonDocument()];
        recorder.Canned[MongoContext.SignInAttemptsCollection] =
            [new SignInAttempt { Id = "window-key", Count = 2, ExpiresAt = Now.AddMinutes(15) }.ToBsonDocument()];
        recorder.Canned[MongoContext.LocksCollection] = [new BsonDocument { { "_id", MongoAdminFence.FenceId }, { "value", 7L } }];
        recorder.CannedIndexes[MongoContext.CommentsCollection] =
        [
            new BsonDocument { { "name", "_id_" }, { "key", new BsonDocument("_id", 1) } },
            new BsonDocument { { "name", MongoStoreInitializer.OldCommentsIndex }, { "key", new BsonDocument { { "postId", 1 }, { "createdAt", 1 } } } },
        ];
    }

    /// <summary>Every element name in a document, at any depth (through arrays too).</summary>
    private static HashSet<string> Keys(BsonValue value)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        void Walk(BsonValue v)
        {
            if (v is BsonDocument d)
            {
                foreach (var e in d)
                {
                    names.Add(e.Name);
                    Walk(e.Value);
                }
            }
            else if (v is BsonArray a)
            {
                foreach (var item in a)
                {
                    Walk(item);
                }
            }
        }

        Walk(value);
        return names;
    }

    /// <summary>
    /// The field names an update writes, with their values: inside each operator of an update document
    /// (<c>{ $set: { name: value } }</c>) and each <c>$set</c>/<c>$addFields</c>/<c>$unset</c> stage of an update pipeline.
    /// </summary>
    private static IEnumerable<(string Name, BsonValue Value, RecordedCommand Command)> WrittenFields(IEnumerable<RecordedCommand> commands)
    {
        foreach (var command in commands)
        {
            var stages = command.Update switch
            {
                BsonArray pipeline => pipeline.OfType<BsonDocument>(),
                BsonDocument document => [document],
                _ => [],
            };
            foreach (var stage in stages)
            {
                foreach (var op in stage)
                {
                    if (op.Value is BsonDocument fields)
                    {
                        foreach (var field in fields)
                        {
                            yield return (field.Name, field.Value, command);
                        }
                    }
                    else if (op.Value is BsonString unset)
                    {
                        yield return (unset.Value, BsonNull.Value, command);
                    }
                }
            }
        }
    }

    /// <summary>Fields a filter pins to one value: <c>{ f: v }</c> or <c>{ f: { $eq: v } }</c>, at the top or inside <c>$and</c>.</summary>
    private static HashSet<string> EqualityFields(BsonDocument filter)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in filter)
        {
            if (element.Name == "$and")
            {
                foreach (var part in element.Value.AsBsonArray.OfType<BsonDocument>())
                {
                    fields.UnionWith(EqualityFields(part));
                }
            }
            else if (!element.Name.StartsWith('$')
                && (element.Value is not BsonDocument operators || operators.Names.All(n => !n.StartsWith('$')) || operators.Contains("$eq")))
            {
                fields.Add(element.Name);
            }
        }

        return fields;
    }

    /// <summary>
    /// The index keys start with fields the filter pins (in any order), then carry exactly the sort's keys in order, all
    /// in the sort's directions or all reversed: then the server walks the index in order and never sorts in memory.
    /// </summary>
    private static bool Serves(BsonDocument index, HashSet<string> equalities, BsonDocument sort)
    {
        var keys = index.Elements.ToList();
        var start = 0;
        while (start < keys.Count && equalities.Contains(keys[start].Name) && !sort.Contains(keys[start].Name))
        {
            start++;
        }

        var wanted = sort.Elements.ToList();
        if (keys.Count - start < wanted.Count)
        {
            return false;
        }

        bool Matches(int sign) => wanted.Select((w, i) =>
            keys[start + i].Name == w.Name && keys[start + i].Value.ToInt32() == sign * w.Value.ToInt32()).All(x => x);
        return Matches(1) || Matches(-1);
    }

    private static User NewUser(string id) => TestDocuments.User(id, id, Now, displayName: $"Display {id}");

    private static Post NewPost(string id) => TestDocuments.Post(id, $"slug-{id}", Now, tag: "aspire", body: "Body words");

    private static Comment NewComment(string id) => TestDocuments.Comment(id, Now);

    private static RefreshToken NewToken(string id) => TestDocuments.Token(id, Now);

    private static RefreshFamily NewFamily(string id) => TestDocuments.Family(id, Now, sessionVersion: 2);
}
