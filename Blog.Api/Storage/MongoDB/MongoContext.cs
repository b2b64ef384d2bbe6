using System.Text.RegularExpressions;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Conventions;
using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <summary>
/// The collections of the MongoDB store on one <see cref="IMongoDatabase"/>. Documents are stored as they are, with
/// camelCase element names and the string <c>Id</c> as <c>_id</c>; times are BSON dates (UTC, milliseconds), read back
/// as UTC by the driver's default DateTime serializer.
/// </summary>
internal sealed partial class MongoContext
{
    public const string UsersCollection = "users";
    public const string PostsCollection = "posts";
    public const string CommentsCollection = "comments";
    public const string RefreshTokensCollection = "refreshTokens";
    public const string RefreshFamiliesCollection = "refreshFamilies";
    public const string LocksCollection = "locks";
    public const string SignInAttemptsCollection = "signInAttempts";

    // Index names: the duplicate-key error names the index, and these names say which request field it was.
    public const string UsernameIndex = "username_unique";
    public const string EmailIndex = "email_unique";
    public const string SlugIndex = "slug_unique";
    public const string TokenHashIndex = "tokenHash_unique";

    static MongoContext()
    {
        // Registered once per process (the static constructor runs once), for the storage documents only.
        var conventions = new ConventionPack
        {
            new CamelCaseElementNameConvention(),
            new IgnoreExtraElementsConvention(true),
        };
        ConventionRegistry.Register("Blog.Api.Storage", conventions, type => type.Namespace == typeof(User).Namespace);
    }

    public MongoContext(IMongoDatabase database)
    {
        Database = database;
        Users = database.GetCollection<User>(UsersCollection);
        UserDocuments = database.GetCollection<BsonDocument>(UsersCollection);
        Posts = database.GetCollection<Post>(PostsCollection);
        Comments = database.GetCollection<Comment>(CommentsCollection);
        RefreshTokens = database.GetCollection<RefreshToken>(RefreshTokensCollection);
        RefreshFamilies = database.GetCollection<RefreshFamily>(RefreshFamiliesCollection);
        Locks = database.GetCollection<BsonDocument>(LocksCollection);
        SignInAttempts = database.GetCollection<SignInAttempt>(SignInAttemptsCollection);
    }

    public IMongoDatabase Database { get; }
    public IMongoCollection<User> Users { get; }
    /// <summary>The same collection untyped, for the fields no document class has (the account-change fence).</summary>
    public IMongoCollection<BsonDocument> UserDocuments { get; }
    public IMongoCollection<Post> Posts { get; }
    public IMongoCollection<Comment> Comments { get; }
    public IMongoCollection<RefreshToken> RefreshTokens { get; }
    public IMongoCollection<RefreshFamily> RefreshFamilies { get; }
    public IMongoCollection<BsonDocument> Locks { get; }
    public IMongoCollection<SignInAttempt> SignInAttempts { get; }

    /// <summary>The stored element name of a document property (after the camelCase convention), for hand-built pipeline stages.</summary>
    public static string ElementName<T>(string member) => BsonClassMap.LookupClassMap(typeof(T)).GetMemberMap(member).ElementName;

    /// <summary>True for MongoDB's duplicate-key error (E11000) however the driver reports it; <paramref name="field"/> is the request field.</summary>
    public static bool IsDuplicateKey(MongoException exception, out string field)
    {
        string? message = exception switch
        {
            MongoWriteException { WriteError.Category: ServerErrorCategory.DuplicateKey } write => write.WriteError.Message,
            MongoBulkWriteException bulk when bulk.WriteErrors.Any(e => e.Category == ServerErrorCategory.DuplicateKey) =>
                bulk.WriteErrors.First(e => e.Category == ServerErrorCategory.DuplicateKey).Message,
            MongoCommandException { Code: 11000 } command => command.ErrorMessage ?? command.Message,
            _ => null,
        };

        field = message is null ? "" : FieldOfIndex(message);
        return message is not null;
    }

    // "E11000 duplicate key error collection: blogdb.users index: username_unique dup key: { normalizedUsername: "x" }"
    internal static string FieldOfIndex(string message) => IndexNameRegex().Match(message).Groups[1].Value switch
    {
        UsernameIndex => "username",
        EmailIndex => "email",
        SlugIndex => "slug",
        TokenHashIndex => "tokenHash",
        _ => "id",
    };

    /// <summary>Runs a write and turns a duplicate-key error into <see cref="DuplicateKeyException"/>.</summary>
    public static async Task<T> MapDuplicateKeyAsync<T>(Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (MongoException ex) when (IsDuplicateKey(ex, out var field))
        {
            throw new DuplicateKeyException(field);
        }
    }

    public static Task MapDuplicateKeyAsync(Func<Task> write) => MapDuplicateKeyAsync(async () =>
    {
        await write().ConfigureAwait(false);
        return true;
    });

    [GeneratedRegex(@"index: (\S+)", RegexOptions.CultureInvariant)]
    private static partial Regex IndexNameRegex();
}
