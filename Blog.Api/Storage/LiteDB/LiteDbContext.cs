using System.Globalization;
using LiteDB;

namespace Blog.Api.Storage.LiteDB;

/// <summary>
/// The one <see cref="LiteDatabase"/> of the embedded store, shared by its stores.
/// </summary>
/// <remarks>
/// The file is opened in LiteDB's default direct mode (not <c>Connection=shared</c>): exactly one process, this API,
/// owns it, and a <see cref="LiteDatabase"/> is thread-safe per operation. Writes that read before they write
/// (version compare-and-set, counters, the last-Admin rule) take <see cref="Write{T}(string, string, Func{T})"/>'s lock
/// and run in one LiteDB transaction, so they are atomic in this process and never half-applied. Reads take no lock.
/// Every store operation goes through <see cref="Read{T}"/> or <c>Write</c>, which is also where it is traced.
/// </remarks>
internal sealed class LiteDbContext : IDisposable
{
    public const string UsersCollection = "users";
    public const string PostsCollection = "posts";
    public const string CommentsCollection = "comments";
    public const string RefreshTokensCollection = "refreshTokens";
    public const string SignInAttemptsCollection = "signInAttempts";
    public const string RefreshFamiliesCollection = "refreshFamilies";

    private readonly Lock _writeLock = new();
    private long _writeVersion;

    public LiteDbContext(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new ConnectionString
        {
            Filename = Path,
            Connection = ConnectionType.Direct,
            // Ordinal: uniqueness and ordering come from the normalised keys, never from a culture's collation
            // (LiteDB's default is the current culture, ignoring case). Only applies when the file is created.
            Collation = new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal),
        };
        Database = new LiteDatabase(connection, CreateMapper())
        {
            // LiteDB returns local times unless told otherwise; the contract is UTC.
            UtcDate = true,
        };
        Users = Database.GetCollection<User>(UsersCollection);
        Posts = Database.GetCollection<Post>(PostsCollection);
        Comments = Database.GetCollection<Comment>(CommentsCollection);
        RefreshTokens = Database.GetCollection<RefreshToken>(RefreshTokensCollection);
        SignInAttempts = Database.GetCollection<SignInAttempt>(SignInAttemptsCollection);
        RefreshFamilies = Database.GetCollection<RefreshFamily>(RefreshFamiliesCollection);

        // Also here, not only in the initializer: the unique indexes are what enforce the contract, so no store may
        // ever see the file without them. EnsureIndex is a no-op when the index exists.
        EnsureIndexes();
    }

    public string Path { get; }

    /// <summary>
    /// Even when no write is in progress; incremented before and after every write (a seqlock), so a value computed
    /// while it stayed the same even number is still current. Lets readers cache aggregates safely.
    /// </summary>
    public long WriteVersion => Volatile.Read(ref _writeVersion);

    public LiteDatabase Database { get; }

    public ILiteCollection<User> Users { get; }
    public ILiteCollection<Post> Posts { get; }
    public ILiteCollection<Comment> Comments { get; }
    public ILiteCollection<RefreshToken> RefreshTokens { get; }
    public ILiteCollection<SignInAttempt> SignInAttempts { get; }
    public ILiteCollection<RefreshFamily> RefreshFamilies { get; }

    /// <summary>
    /// Runs <paramref name="read"/> as one store operation: a client span <c>{operation} {collection}</c>
    /// (<see cref="LiteDbTracing"/>). Takes no lock.
    /// </summary>
    public T Read<T>(string operation, string collection, Func<T> read)
    {
        using var activity = LiteDbTracing.Start(operation, collection);
        try
        {
            return read();
        }
        catch (Exception ex)
        {
            LiteDbTracing.RecordError(activity, ex);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> as one store operation (a span, as <see cref="Read{T}"/>), under the store's write
    /// lock in one transaction; unique-index violations become <see cref="DuplicateKeyException"/>. The span includes
    /// the wait for the lock: that is what the caller waits for.
    /// </summary>
    public T Write<T>(string operation, string collection, Func<T> write)
    {
        using var activity = LiteDbTracing.Start(operation, collection);
        try
        {
            return InTransaction(write);
        }
        catch (Exception ex)
        {
            LiteDbTracing.RecordError(activity, ex);
            throw;
        }
    }

    public void Write(string operation, string collection, Action write) => Write(operation, collection, () =>
    {
        write();
        return true;
    });

    private T InTransaction<T>(Func<T> write)
    {
        lock (_writeLock)
        {
            // LiteDB transactions belong to the calling thread; the lock keeps the whole call on this one.
            Interlocked.Increment(ref _writeVersion);
            Database.BeginTrans();
            try
            {
                var result = write();
                Database.Commit();
                return result;
            }
            catch (LiteException ex) when (ex.ErrorCode == LiteException.INDEX_DUPLICATE_KEY)
            {
                Database.Rollback();
                throw new DuplicateKeyException(FieldOfIndex(ex.Message));
            }
            catch
            {
                Database.Rollback();
                throw;
            }
            finally
            {
                Interlocked.Increment(ref _writeVersion);
            }
        }
    }

    /// <summary>
    /// Index names are what <see cref="FieldOfIndex"/> maps to request fields. How the post indexes serve the lists is
    /// explained on <see cref="LiteDbPostStore.ListAsync"/>.
    /// </summary>
    public void EnsureIndexes()
    {
        var users = Users;
        users.EnsureIndex(nameof(User.NormalizedUsername), "$.NormalizedUsername", unique: true);
        users.EnsureIndex(nameof(User.NormalizedEmail), "$.NormalizedEmail", unique: true);
        users.EnsureIndex(nameof(User.Role), "$.Role");

        var posts = Posts;
        posts.EnsureIndex(nameof(Post.Slug), "$.Slug", unique: true);
        // Status counts the lists; PublishedAt and UpdatedAt order them (see LiteDbPostStore.ListAsync).
        posts.EnsureIndex(nameof(Post.Status), "$.Status");
        posts.EnsureIndex(nameof(Post.PublishedAt), "$.PublishedAt");
        posts.EnsureIndex(nameof(Post.UpdatedAt), "$.UpdatedAt");
        posts.EnsureIndex(nameof(Post.AuthorId), "$.AuthorId");
        posts.EnsureIndex(nameof(Post.Tags), "$.Tags[*]");
        posts.EnsureIndex(nameof(Post.SearchTerms), "$.SearchTerms[*]");

        Comments.EnsureIndex(nameof(Comment.PostId), "$.PostId");

        var tokens = RefreshTokens;
        tokens.EnsureIndex(nameof(RefreshToken.TokenHash), "$.TokenHash", unique: true);
        tokens.EnsureIndex(nameof(RefreshToken.FamilyId), "$.FamilyId");
        tokens.EnsureIndex(nameof(RefreshToken.UserId), "$.UserId");
        tokens.EnsureIndex(nameof(RefreshToken.ExpiresAt), "$.ExpiresAt");

        SignInAttempts.EnsureIndex(nameof(SignInAttempt.ExpiresAt), "$.ExpiresAt");

        var families = RefreshFamilies;
        families.EnsureIndex(nameof(RefreshFamily.UserId), "$.UserId");
        families.EnsureIndex(nameof(RefreshFamily.ExpiresAt), "$.ExpiresAt");
    }

    public void Dispose() => Database.Dispose();

    // LiteDB's message is "Cannot insert duplicate key in unique index '{index}'. The duplicate value is '...'."
    // The index names are ours (see LiteDbStoreInitializer), so they map to the request fields.
    internal static string FieldOfIndex(string message)
    {
        const string marker = "unique index '";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        var index = start < 0 ? "" : message[(start + marker.Length)..].Split('\'')[0];
        return index switch
        {
            nameof(User.NormalizedUsername) => "username",
            nameof(User.NormalizedEmail) => "email",
            nameof(Post.Slug) => "slug",
            nameof(RefreshToken.TokenHash) => "tokenHash",
            _ => "id",
        };
    }

    private static BsonMapper CreateMapper()
    {
        var mapper = new BsonMapper
        {
            // LiteDB's defaults trim strings and turn "" into null; the contract stores text exactly as given.
            TrimWhitespace = false,
            EmptyStringToNull = false,
            SerializeNullValues = false,
        };
        mapper.Entity<User>().Id(x => x.Id, autoId: false);
        mapper.Entity<Post>().Id(x => x.Id, autoId: false);
        mapper.Entity<Comment>().Id(x => x.Id, autoId: false);
        mapper.Entity<RefreshToken>().Id(x => x.Id, autoId: false);
        mapper.Entity<SignInAttempt>().Id(x => x.Id, autoId: false);
        mapper.Entity<RefreshFamily>().Id(x => x.Id, autoId: false);
        return mapper;
    }
}
