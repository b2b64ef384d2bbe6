using System.Reflection;
using MongoDB.Bson;
using MongoDB.Bson.Serialization;
using MongoDB.Driver;

namespace Blog.Tests.Storage;

/// <summary>One command a MongoDB store sent, with every definition rendered to BSON by the driver's own serializers.</summary>
public sealed record RecordedCommand(string Collection, string Method)
{
    public BsonDocument? Filter { get; set; }
    /// <summary>An update document (<c>{ $set: ... }</c>) or, for an update pipeline, a <see cref="BsonArray"/> of stages.</summary>
    public BsonValue? Update { get; set; }
    public IReadOnlyList<BsonDocument>? Pipeline { get; set; }
    public BsonDocument? Sort { get; set; }
    public BsonDocument? Projection { get; set; }
    /// <summary>An inserted document as it would be stored.</summary>
    public BsonDocument? Document { get; set; }
    public bool IsUpsert { get; set; }
    public BsonDocument? IndexKeys { get; set; }
    public CreateIndexOptions? IndexOptions { get; set; }
    public string? Field { get; set; }
    /// <summary>The store method (interface and name) that was being driven when the command was sent.</summary>
    public string? StoreMethod { get; set; }

    /// <summary>Every BSON document of the command, to serialise as the driver would (strict UTF-8, C strings).</summary>
    public IEnumerable<BsonValue> Parts() =>
        new BsonValue?[] { Filter, Update, Sort, Projection, Document, IndexKeys }
            .Concat(Pipeline ?? [])
            .OfType<BsonValue>();
}

/// <summary>
/// A stand-in <see cref="IMongoDatabase"/> for the MongoDB stores that never reaches a server: each collection records
/// the commands the real store classes send (rendered with the driver's serializers) and answers with canned documents,
/// so every code path of a store method runs. Filters are not evaluated: a find returns every canned document of its
/// collection, an update reports one match. Methods the stores do not use throw, so a store using a new one fails loudly.
/// </summary>
public class RecordingMongoDatabase : DispatchProxy
{
    private readonly Dictionary<(string, Type), object> _collections = [];

    public List<RecordedCommand> Commands { get; } = [];

    /// <summary>Canned documents per collection name, as stored.</summary>
    public Dictionary<string, List<BsonDocument>> Canned { get; } = [];

    /// <summary>Canned <c>listIndexes</c> answers per collection name.</summary>
    public Dictionary<string, List<BsonDocument>> CannedIndexes { get; } = [];

    /// <summary>Set while a store method is driven; stamped on every command it sends.</summary>
    public string? CurrentStoreMethod { get; set; }

    public static (IMongoDatabase Database, RecordingMongoDatabase Recorder) Create()
    {
        var proxy = Create<IMongoDatabase, RecordingMongoDatabase>();
        return (proxy, (RecordingMongoDatabase)(object)proxy);
    }

    internal void Record(RecordedCommand command)
    {
        command.StoreMethod = CurrentStoreMethod;
        Commands.Add(command);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IMongoDatabase.GetCollection))
        {
            var name = (string)args![0]!;
            var type = targetMethod.GetGenericArguments()[0];
            if (!_collections.TryGetValue((name, type), out var collection))
            {
                var create = typeof(RecordingCollection<>).MakeGenericType(type).GetMethod(nameof(RecordingCollection<object>.CreateFor))!;
                collection = create.Invoke(null, [this, name, (IMongoDatabase)(object)this])!;
                _collections[(name, type)] = collection;
            }

            return collection;
        }

        if (targetMethod.Name == "get_DatabaseNamespace")
        {
            return new DatabaseNamespace("blog_guard");
        }

        throw new NotSupportedException($"The recording database does not implement IMongoDatabase.{targetMethod.Name}.");
    }
}

/// <summary>A recording <see cref="IMongoCollection{T}"/> (see <see cref="RecordingMongoDatabase"/>).</summary>
public class RecordingCollection<T> : DispatchProxy
{
    private RecordingMongoDatabase _database = null!;
    private IMongoDatabase _databaseProxy = null!;
    private string _name = "";
    private object? _indexes;

    private static IBsonSerializer<T> Serializer => BsonSerializer.LookupSerializer<T>();

    public static RenderArgs<T> RenderArgs => new(Serializer, BsonSerializer.SerializerRegistry);

    public static IMongoCollection<T> CreateFor(RecordingMongoDatabase database, string name, IMongoDatabase databaseProxy)
    {
        var proxy = Create<IMongoCollection<T>, RecordingCollection<T>>();
        var self = (RecordingCollection<T>)(object)proxy;
        self._database = database;
        self._databaseProxy = databaseProxy;
        self._name = name;
        return proxy;
    }

    private List<BsonDocument> Canned => _database.Canned.GetValueOrDefault(_name) ?? [];

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        args ??= [];
        switch (targetMethod.Name)
        {
            case "get_CollectionNamespace":
                return new CollectionNamespace("blog_guard", _name);
            case "get_DocumentSerializer":
                return Serializer;
            case "get_Settings":
                return new MongoCollectionSettings();
            case "get_Database":
                return _databaseProxy;
            case "get_Indexes":
                return _indexes ??= RecordingIndexManager<T>.CreateFor(_database, _name);
        }

        var command = new RecordedCommand(_name, targetMethod.Name);
        foreach (var arg in args)
        {
            Describe(command, arg);
        }

        _database.Record(command);

        var generic = targetMethod.IsGenericMethod ? targetMethod.GetGenericArguments()[0] : null;
        return targetMethod.Name switch
        {
            "FindAsync" => CursorTask(generic!, Canned),
            "CountDocumentsAsync" => Task.FromResult((long)Canned.Count),
            "InsertOneAsync" => Task.CompletedTask,
            "UpdateOneAsync" or "UpdateManyAsync" => Task.FromResult<UpdateResult>(new UpdateResult.Acknowledged(1, 1, null)),
            "DeleteOneAsync" or "DeleteManyAsync" => Task.FromResult<DeleteResult>(new DeleteResult.Acknowledged(1)),
            "FindOneAndUpdateAsync" or "FindOneAndDeleteAsync" => ValueTask(generic!, Canned.FirstOrDefault()),
            "AggregateAsync" => CursorTask(generic!, []),
            "DistinctAsync" => CursorTask(generic!, [.. Canned.Where(d => d.Contains(command.Field!)).Select(d => new BsonDocument("v", d[command.Field!]))], unwrap: "v"),
            _ => throw new NotSupportedException($"The recording collection does not implement IMongoCollection.{targetMethod.Name}."),
        };
    }

    private static void Describe(RecordedCommand command, object? arg)
    {
        var args = RenderArgs;
        switch (arg)
        {
            case null or CancellationToken:
                return;
            case FilterDefinition<T> filter:
                command.Filter = filter.Render(args);
                return;
            case UpdateDefinition<T> update:
                command.Update = update.Render(args);
                return;
            case T document when command.Method.StartsWith("Insert", StringComparison.Ordinal):
                command.Document = document.ToBsonDocument(Serializer);
                return;
            case UpdateOptions options:
                command.IsUpsert = options.IsUpsert;
                return;
        }

        var type = arg.GetType();
        var definition = GenericBase(type);
        dynamic value = arg;
        if (definition == typeof(PipelineDefinition<,>))
        {
            command.Pipeline = [.. ((IEnumerable<BsonDocument>)value.Render(args).Documents)];
        }
        else if (definition == typeof(FieldDefinition<,>))
        {
            command.Field = (string)value.Render(args).FieldName;
        }
        else if (definition == typeof(FindOptions<,>))
        {
            command.Sort = ((SortDefinition<T>?)value.Sort)?.Render(args);
            command.Projection = value.Projection is null ? null : (BsonDocument)value.Projection.Render(args).Document;
        }
        else if (definition == typeof(FindOneAndUpdateOptions<,>))
        {
            command.IsUpsert = (bool)value.IsUpsert;
            command.Sort = ((SortDefinition<T>?)value.Sort)?.Render(args);
            command.Projection = value.Projection is null ? null : (BsonDocument)value.Projection.Render(args).Document;
        }
        else if (definition == typeof(FindOneAndDeleteOptions<,>))
        {
            command.Sort = ((SortDefinition<T>?)value.Sort)?.Render(args);
        }
    }

    private static Type? GenericBase(Type? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType)
            {
                var definition = type.GetGenericTypeDefinition();
                if (definition == typeof(PipelineDefinition<,>) || definition == typeof(FieldDefinition<,>)
                    || definition == typeof(FindOptions<,>) || definition == typeof(FindOneAndUpdateOptions<,>)
                    || definition == typeof(FindOneAndDeleteOptions<,>))
                {
                    return definition;
                }
            }
        }

        return null;
    }

    internal static object CursorTask(Type item, List<BsonDocument> documents, string? unwrap = null) =>
        typeof(RecordingCollection<T>).GetMethod(nameof(TypedCursorTask), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(item).Invoke(null, [documents, unwrap])!;

    private static Task<IAsyncCursor<TItem>> TypedCursorTask<TItem>(List<BsonDocument> documents, string? unwrap)
    {
        var items = documents.Select(d => unwrap is null
            ? BsonSerializer.Deserialize<TItem>(d)
            : (TItem)BsonTypeMapper.MapToDotNetValue(d[unwrap])).ToList();
        return Task.FromResult<IAsyncCursor<TItem>>(new ListCursor<TItem>(items));
    }

    private static object ValueTask(Type item, BsonDocument? document) =>
        typeof(RecordingCollection<T>).GetMethod(nameof(TypedValueTask), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(item).Invoke(null, [document])!;

    private static Task<TItem?> TypedValueTask<TItem>(BsonDocument? document) =>
        Task.FromResult(document is null ? default : BsonSerializer.Deserialize<TItem>(document));
}

/// <summary>A recording <see cref="IMongoIndexManager{T}"/>: index definitions rendered to BSON, with their options.</summary>
public class RecordingIndexManager<T> : DispatchProxy
{
    private RecordingMongoDatabase _database = null!;
    private string _name = "";

    public static IMongoIndexManager<T> CreateFor(RecordingMongoDatabase database, string name)
    {
        var proxy = Create<IMongoIndexManager<T>, RecordingIndexManager<T>>();
        var self = (RecordingIndexManager<T>)(object)proxy;
        self._database = database;
        self._name = name;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        args ??= [];
        switch (targetMethod.Name)
        {
            case "CreateManyAsync":
                var models = args.OfType<IEnumerable<CreateIndexModel<T>>>().Single().ToList();
                models.ForEach(Record);
                return Task.FromResult<IEnumerable<string>>([.. models.Select(m => m.Options?.Name ?? "")]);
            case "CreateOneAsync":
                var model = args.OfType<CreateIndexModel<T>>().Single();
                Record(model);
                return Task.FromResult(model.Options?.Name ?? "");
            case "ListAsync":
                _database.Record(new RecordedCommand(_name, "listIndexes"));
                return Task.FromResult<IAsyncCursor<BsonDocument>>(new ListCursor<BsonDocument>(_database.CannedIndexes.GetValueOrDefault(_name) ?? []));
            case "DropOneAsync":
                _database.Record(new RecordedCommand(_name, "dropIndex") { Field = args.OfType<string>().Single() });
                return Task.CompletedTask;
            default:
                throw new NotSupportedException($"The recording index manager does not implement {targetMethod.Name}.");
        }
    }

    private void Record(CreateIndexModel<T> model) => _database.Record(new RecordedCommand(_name, "createIndex")
    {
        IndexKeys = model.Keys.Render(RecordingCollection<T>.RenderArgs),
        IndexOptions = model.Options,
    });
}

/// <summary>A cursor over one batch.</summary>
public sealed class ListCursor<TItem>(IReadOnlyList<TItem> items) : IAsyncCursor<TItem>
{
    private bool _moved;

    public IEnumerable<TItem> Current => items;

    public bool MoveNext(CancellationToken cancellationToken = default)
    {
        var first = !_moved;
        _moved = true;
        return first;
    }

    public Task<bool> MoveNextAsync(CancellationToken cancellationToken = default) => Task.FromResult(MoveNext(cancellationToken));

    public void Dispose()
    {
    }
}
