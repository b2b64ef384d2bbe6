namespace Blog.Api.Storage;

/// <summary>Which store the API uses, for the start-up log line and for tests. <see cref="Description"/> never holds a password.</summary>
public sealed record StorageInfo(string Kind, string Description)
{
    public const string MongoDb = "mongodb";
    public const string Embedded = "embedded";
}
