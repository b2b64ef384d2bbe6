// Stand-in for the official Aspire.MongoDB.Driver client integration, which cannot be restored here (see
// ASPIRE-FACTS.md). Same public shape, configuration keys and behaviour, so that switching to the official package is
// a package reference and the deletion of this folder. It lives in Blog.Api (its only consumer) so that Blog.Web never
// references MongoDB.Driver.
//
// The one deliberate difference: tracing. The official package traces through MongoDB.Driver.Core.Extensions.DiagnosticSources
// (not served here); this one uses the tracing MongoDB.Driver 3.x has built in (ActivitySource "MongoDB.Driver", on by
// default): its source is registered with OpenTelemetry, and DisableTracing turns the driver's TracingOptions off. Spans
// therefore follow the driver's own conventions (an operation span with its command spans beneath it).
using Aspire.MongoDB.Driver;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MongoDB.Driver;
using MongoDB.Driver.Core.Configuration;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers a MongoDB client (and database) with health check, tracing and logging, as Aspire.MongoDB.Driver does.</summary>
public static class AspireMongoDBDriverExtensions
{
    private const string DefaultConfigSectionName = "Aspire:MongoDB:Driver";
    private const string DefaultHealthCheckName = "MongoDB.Driver";
    private const string DefaultDatabaseForPing = "admin";

    /// <summary>
    /// Registers a singleton <see cref="IMongoClient"/> for the connection string <c>ConnectionStrings:{connectionName}</c>
    /// and, when that URL names a database, a singleton <see cref="IMongoDatabase"/> for it. Adds the
    /// <c>MongoDB.Driver</c> health check (a ping) unless a health check of that name exists, registers the driver's
    /// own trace source (<c>MongoDB.Driver</c>) with OpenTelemetry, and routes the driver's logs through the host's
    /// <see cref="ILoggerFactory"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="connectionName">The connection string's name; also the suffix of the settings section.</param>
    /// <param name="configureSettings">Changes the settings after configuration was read.</param>
    /// <param name="configureClientSettings">Changes the driver's <see cref="MongoClientSettings"/> before the client is built.</param>
    /// <exception cref="InvalidOperationException">No connection string was found.</exception>
    public static void AddMongoDBClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<MongoDBSettings>? configureSettings = null,
        Action<MongoClientSettings>? configureClientSettings = null) =>
        AddMongoDBClient(builder, connectionName, serviceKey: null, configureSettings, configureClientSettings);

    /// <summary>
    /// As <see cref="AddMongoDBClient(IHostApplicationBuilder, string, Action{MongoDBSettings}?, Action{MongoClientSettings}?)"/>,
    /// registering <see cref="IMongoClient"/> and <see cref="IMongoDatabase"/> as keyed services with <paramref name="name"/>
    /// as the key; the health check is named <c>MongoDB.Driver_{name}</c>.
    /// </summary>
    public static void AddKeyedMongoDBClient(
        this IHostApplicationBuilder builder,
        string name,
        Action<MongoDBSettings>? configureSettings = null,
        Action<MongoClientSettings>? configureClientSettings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        AddMongoDBClient(builder, name, serviceKey: name, configureSettings, configureClientSettings);
    }

    private static void AddMongoDBClient(
        IHostApplicationBuilder builder,
        string connectionName,
        string? serviceKey,
        Action<MongoDBSettings>? configureSettings,
        Action<MongoClientSettings>? configureClientSettings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = new MongoDBSettings();
        builder.Configuration.GetSection(DefaultConfigSectionName).Bind(settings);
        builder.Configuration.GetSection($"{DefaultConfigSectionName}:{connectionName}").Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configureSettings?.Invoke(settings);

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"No MongoDB connection string for '{connectionName}'. Set 'ConnectionStrings:{connectionName}' " +
                $"(for example the environment variable ConnectionStrings__{connectionName}, which the AppHost's WithReference sets) " +
                $"or '{DefaultConfigSectionName}:{connectionName}:ConnectionString'.");
        }

        // Parsed now, so that a malformed URL stops the start with the driver's own message.
        var url = MongoUrl.Create(settings.ConnectionString);
        var disableTracing = settings.DisableTracing;

        IMongoClient CreateClient(IServiceProvider services)
        {
            var clientSettings = MongoClientSettings.FromUrl(url);
            if (services.GetService<ILoggerFactory>() is { } loggerFactory)
            {
                clientSettings.LoggingSettings = new LoggingSettings(loggerFactory);
            }

            // The driver traces every operation and command itself unless told not to; nothing else must emit
            // spans for the same commands, or each shows twice.
            clientSettings.TracingOptions = new TracingOptions { Disabled = disableTracing };

            configureClientSettings?.Invoke(clientSettings);
            return new MongoClient(clientSettings);
        }

        var services = builder.Services;
        if (serviceKey is null)
        {
            services.AddSingleton(CreateClient);
            if (!string.IsNullOrEmpty(url.DatabaseName))
            {
                services.AddSingleton(sp => sp.GetRequiredService<IMongoClient>().GetDatabase(url.DatabaseName));
            }
        }
        else
        {
            services.AddKeyedSingleton(serviceKey, (sp, _) => CreateClient(sp));
            if (!string.IsNullOrEmpty(url.DatabaseName))
            {
                services.AddKeyedSingleton(serviceKey, (sp, key) => sp.GetRequiredKeyedService<IMongoClient>(key).GetDatabase(url.DatabaseName));
            }
        }

        if (!disableTracing)
        {
            services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(MongoTelemetry.ActivitySourceName));
        }

        if (!settings.DisableHealthChecks)
        {
            var databaseName = string.IsNullOrEmpty(url.DatabaseName) ? DefaultDatabaseForPing : url.DatabaseName;
            var registration = new HealthCheckRegistration(
                serviceKey is null ? DefaultHealthCheckName : $"{DefaultHealthCheckName}_{connectionName}",
                sp => new MongoDBHealthCheck(
                    serviceKey is null ? sp.GetRequiredService<IMongoClient>() : sp.GetRequiredKeyedService<IMongoClient>(serviceKey),
                    databaseName),
                failureStatus: default,
                tags: default,
                // As the official integration: a timeout of 0 or less means none (HealthCheckRegistration refuses it).
                timeout: settings.HealthCheckTimeout is > 0 and var ms ? TimeSpan.FromMilliseconds(ms) : null);

            // Only if no registration has that name yet, wherever it was added: PostConfigure runs after every
            // AddHealthChecks().Add(...), and duplicate names would make the health check service refuse to start.
            services.AddHealthChecks();
            services.PostConfigure<HealthCheckServiceOptions>(options =>
            {
                if (options.Registrations.All(r => r.Name != registration.Name))
                {
                    options.Registrations.Add(registration);
                }
            });
        }
    }
}
