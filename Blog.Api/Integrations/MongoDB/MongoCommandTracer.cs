using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Net;
using MongoDB.Bson;
using MongoDB.Driver.Core.Configuration;
using MongoDB.Driver.Core.Events;

namespace Aspire.MongoDB.Driver;

/// <summary>
/// One client <see cref="Activity"/> per MongoDB command, from the driver's command monitoring events (the official
/// integration uses MongoDB.Driver.Core.Extensions.DiagnosticSources, which cannot be restored here). Only the command
/// name, collection, database and server are recorded, never the command's documents.
/// </summary>
internal sealed class MongoCommandTracer
{
    public const string ActivitySourceName = "MongoDB.Driver";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    // Handshake and authentication traffic: noise at best, credentials at worst.
    private static readonly FrozenSet<string> IgnoredCommands = FrozenSet.ToFrozenSet(
        ["hello", "isMaster", "ismaster", "saslStart", "saslContinue", "authenticate", "getnonce", "buildInfo", "buildinfo"],
        StringComparer.Ordinal);

    private readonly ConcurrentDictionary<int, Activity> _inFlight = new();

    public void Subscribe(ClusterBuilder cluster)
    {
        cluster.Subscribe<CommandStartedEvent>(OnStarted);
        cluster.Subscribe<CommandSucceededEvent>(OnSucceeded);
        cluster.Subscribe<CommandFailedEvent>(OnFailed);
    }

    internal void OnStarted(CommandStartedEvent e)
    {
        if (IgnoredCommands.Contains(e.CommandName) || !Source.HasListeners())
        {
            return;
        }

        var collection = CollectionOf(e.CommandName, e.Command);
        var database = e.DatabaseNamespace?.DatabaseName;

        // The event is raised inside the caller's async flow: the span's parent is the caller's current activity, but
        // the new span must not become Activity.Current for the rest of that flow (it ends in another event).
        var previous = Activity.Current;
        var activity = Source.StartActivity($"{e.CommandName} {collection ?? database}".TrimEnd(), ActivityKind.Client);
        Activity.Current = previous;
        if (activity is null)
        {
            return;
        }

        if (activity.IsAllDataRequested)
        {
            // Both names: db.system.name is the current convention, db.system what the Aspire dashboard reads.
            activity.SetTag("db.system.name", "mongodb");
            activity.SetTag("db.system", "mongodb");
            activity.SetTag("db.operation.name", e.CommandName);
            activity.SetTag("db.namespace", database);
            if (collection is not null)
            {
                activity.SetTag("db.collection.name", collection);
            }

            switch (e.ConnectionId?.ServerId?.EndPoint)
            {
                case DnsEndPoint dns:
                    activity.SetTag("server.address", dns.Host);
                    activity.SetTag("server.port", dns.Port);
                    break;
                case IPEndPoint ip:
                    activity.SetTag("server.address", ip.Address.ToString());
                    activity.SetTag("server.port", ip.Port);
                    break;
            }
        }

        // RequestId is unique per process (the driver's global counter), and the matching succeeded/failed event
        // carries the same value.
        _inFlight[e.RequestId] = activity;
    }

    internal void OnSucceeded(CommandSucceededEvent e)
    {
        if (_inFlight.TryRemove(e.RequestId, out var activity))
        {
            activity.Stop();
        }
    }

    internal void OnFailed(CommandFailedEvent e)
    {
        if (_inFlight.TryRemove(e.RequestId, out var activity))
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Failure?.Message);
            if (e.Failure is not null)
            {
                activity.SetTag("error.type", e.Failure.GetType().FullName);
            }

            activity.Stop();
        }
    }

    // Most commands name their collection as the value of the command itself ({ find: "posts", ... });
    // getMore names it in "collection". Database-level commands ({ aggregate: 1 }, { ping: 1 }) have none.
    internal static string? CollectionOf(string commandName, BsonDocument? command)
    {
        if (command is null)
        {
            return null;
        }

        if (command.TryGetValue(commandName, out var value) && value.IsString)
        {
            return value.AsString;
        }

        return commandName == "getMore" && command.TryGetValue("collection", out var getMoreCollection) && getMoreCollection.IsString
            ? getMoreCollection.AsString
            : null;
    }
}
