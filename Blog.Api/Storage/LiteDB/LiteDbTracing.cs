using System.Diagnostics;

namespace Blog.Api.Storage.LiteDB;

/// <summary>
/// One client span per store operation on the embedded file, named <c>{operation} {collection}</c> with the OpenTelemetry
/// database tags: the LiteDB counterpart of the MongoDB driver's own command spans, so that a trace
/// reaches the database whichever store runs. LiteDB raises no command events, so <see cref="LiteDbContext.Read{T}"/>
/// and <see cref="LiteDbContext.Write{T}(string, string, Func{T})"/> start the span around the store's work.
/// </summary>
internal static class LiteDbTracing
{
    /// <summary>Traced by <c>AddServiceDefaults</c> (<c>Extensions.BlogActivitySources</c>).</summary>
    public const string ActivitySourceName = "Blog.Storage";

    /// <summary>The <c>db.system.name</c> value: LiteDB has no well-known one in the semantic conventions.</summary>
    public const string DatabaseSystem = "litedb";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Null when nobody listens or the trace is not sampled: then tracing costs one check and no allocation.</summary>
    public static Activity? Start(string operation, string collection)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity($"{operation} {collection}", ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", DatabaseSystem);
            // The pre-1.26 name as well: the Aspire dashboard (13.6) shows a span as a database call ("DATA litedb ...")
            // only when it has db.system, as the Redis and MongoDB spans do.
            activity.SetTag("db.system", DatabaseSystem);
            activity.SetTag("db.operation.name", operation);
            activity.SetTag("db.collection.name", collection);
        }

        return activity;
    }

    public static void RecordError(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        // The store's own exceptions (DuplicateKeyException) name a field, never a stored value.
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }
}
