// The blog's addition to the MongoDB hosting stand-in (not part of Aspire.Hosting.MongoDB, hence internal): the API
// connects as a least-privilege application user, never as root.

using Aspire.Hosting.ApplicationModel;

namespace Blog.AppHost.Hosting.MongoDB;

/// <summary>The application user of a MongoDB server: <c>readWrite</c> on one database and nothing else.</summary>
internal sealed record MongoDBApplicationUserAnnotation(string UserName, ParameterResource Password, string DatabaseName) : IResourceAnnotation;

/// <summary>
/// Creates the application user at every start of the MongoDB container, on a new or an existing data volume
/// (<c>/docker-entrypoint-initdb.d</c> runs only on an empty one), and hands the API its user, password and a
/// connection string without credentials. The root credentials stay in the mongo container.
/// </summary>
internal static class MongoDBApplicationUser
{
    // The environment of the mongo container the start-up script and the health probe read (values never go into a
    // command line, a URL or a script: any printable character works).
    public const string UserNameVariable = "MONGO_APP_USERNAME";
    public const string PasswordVariable = "MONGO_APP_PASSWORD";
    public const string DatabaseVariable = "MONGO_APP_DATABASE";

    // The API's settings (Blog.Api/Storage/MongoDB/MongoCredentials.cs): it composes the URL with the driver's
    // MongoUrlBuilder, which URL-encodes the password. Neither compose nor Kubernetes can encode a value they substitute.
    public const string ApiUserNameSetting = "Blog__Storage__MongoUsername";
    public const string ApiPasswordSetting = "Blog__Storage__MongoPassword";

    /// <summary>
    /// The container's command: the image's own entrypoint (first-start initialisation, then <c>mongod</c>) in the
    /// background, and beside it a loop that creates or updates the application user once the real server answers.
    /// It connects to the container's own host name, never to loopback: on first start the image runs a temporary
    /// server without authentication on 127.0.0.1 only. createUser or updateUser (password and roles set again), so
    /// running it at every start is idempotent, and a changed application password takes effect at the next start.
    /// Signals are passed on to mongod so that it shuts down cleanly. No <c>$(</c> or <c>$$</c>: Kubernetes would expand them.
    /// </summary>
    public const string StartScript = """
        docker-entrypoint.sh mongod &
        mongod_pid=$!
        trap 'kill -TERM "$mongod_pid" 2>/dev/null' TERM INT
        (
          until mongosh --quiet --norc --host "$HOSTNAME" --eval '
            const admin = db.getSiblingDB("admin");
            admin.auth(process.env.MONGO_INITDB_ROOT_USERNAME, process.env.MONGO_INITDB_ROOT_PASSWORD);
            const name = process.env.MONGO_APP_USERNAME, pwd = process.env.MONGO_APP_PASSWORD, database = process.env.MONGO_APP_DATABASE;
            const roles = [{ role: "readWrite", db: database }];
            const target = db.getSiblingDB(database);
            if (target.getUser(name) === null) { target.createUser({ user: name, pwd: pwd, roles: roles }); }
            else { target.updateUser(name, { pwd: pwd, roles: roles }); }
            print("application user " + name + ": readWrite on " + database + " only");
          '; do
            sleep 3
          done
        ) &
        status=0
        wait "$mongod_pid" || status=$?
        while kill -0 "$mongod_pid" 2>/dev/null; do
          wait "$mongod_pid" && status=0 || status=$?
        done
        exit "$status"
        """;

    /// <summary>
    /// The health probe run inside the container: healthy only when the application user can sign in on the real
    /// server (the container's host name; the init-time server listens on loopback only), which is true only after the
    /// start script created it. <c>connectionStatus</c> says who is signed in, whatever <c>auth</c> does on failure.
    /// </summary>
    public const string ProbeScript = """
        mongosh --quiet --norc --host "$HOSTNAME" --eval 'const d = db.getSiblingDB(process.env.MONGO_APP_DATABASE); d.auth(process.env.MONGO_APP_USERNAME, process.env.MONGO_APP_PASSWORD); quit(d.runCommand({ connectionStatus: 1 }).authInfo.authenticatedUsers.some(u => u.user === process.env.MONGO_APP_USERNAME) ? 0 : 1)'
        """;

    /// <summary>Without an application user: healthy when root can sign in on the real (not the init-time) server.</summary>
    public const string RootProbeScript = """
        mongosh --quiet --norc --host "$HOSTNAME" --eval 'const d = db.getSiblingDB("admin"); d.auth(process.env.MONGO_INITDB_ROOT_USERNAME, process.env.MONGO_INITDB_ROOT_PASSWORD); quit(d.runCommand({ connectionStatus: 1 }).authInfo.authenticatedUsers.length > 0 ? 0 : 1)'
        """;

    /// <summary>
    /// Gives <paramref name="database"/>'s server an application user <paramref name="userName"/> with <c>readWrite</c>
    /// on that database only, created at every start of the container, and a health check that passes only once that
    /// user can sign in.
    /// </summary>
    public static IResourceBuilder<MongoDBDatabaseResource> WithApplicationUser(
        this IResourceBuilder<MongoDBDatabaseResource> database, string userName, IResourceBuilder<ParameterResource> password)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        var server = database.ApplicationBuilder.CreateResourceBuilder(database.Resource.Parent);
        var user = new MongoDBApplicationUserAnnotation(userName, password.Resource, database.Resource.DatabaseName);
        server.WithAnnotation(user)
            .WithEntrypoint("/bin/bash")
            .WithArgs("-c", StartScript)
            .WithEnvironment(UserNameVariable, userName)
            .WithEnvironment(PasswordVariable, password)
            .WithEnvironment(DatabaseVariable, database.Resource.DatabaseName);

        // The AppHost's own check (run mode): WaitFor(database) then waits until the API's user can sign in.
        var key = $"{database.Resource.Name}_application_user_check";
        database.ApplicationBuilder.AddMongoPingHealthCheck(database.Resource, ApplicationUserConnectionString(database.Resource, user), key);
        return database.WithHealthCheck(key);
    }

    /// <summary>
    /// Connects <paramref name="project"/> to <paramref name="database"/> as its application user:
    /// <c>ConnectionStrings__{connectionName}</c> without credentials (authSource = the database), the user and the
    /// password as two settings, and a wait for the database (and so for the user).
    /// </summary>
    public static IResourceBuilder<T> WithApplicationUserReference<T>(
        this IResourceBuilder<T> project, IResourceBuilder<MongoDBDatabaseResource> database, string connectionName)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        var user = database.Resource.Parent.Annotations.OfType<MongoDBApplicationUserAnnotation>().SingleOrDefault()
            ?? throw new InvalidOperationException($"'{database.Resource.Parent.Name}' has no application user: call WithApplicationUser first.");
        var server = database.Resource.Parent;
        var url = ReferenceExpression.Create(
            $"mongodb://{server.Host}:{server.Port}/{Uri.EscapeDataString(user.DatabaseName)}?authSource={Uri.EscapeDataString(user.DatabaseName)}&authMechanism={MongoDBServerResource.AuthenticationMechanism}");
        return project
            .WithEnvironment($"ConnectionStrings__{connectionName}", url)
            .WithEnvironment(ApiUserNameSetting, user.UserName)
            .WithEnvironment(ApiPasswordSetting, user.Password)
            .WaitFor(database);
    }

    /// <summary>For the AppHost's health check only: Aspire URL-encodes <c>:uri</c> values when it resolves them.</summary>
    private static ReferenceExpression ApplicationUserConnectionString(MongoDBDatabaseResource database, MongoDBApplicationUserAnnotation user)
    {
        var server = database.Parent;
        var encodedDatabase = Uri.EscapeDataString(user.DatabaseName);
        return ReferenceExpression.Create(
            $"mongodb://{Uri.EscapeDataString(user.UserName)}:{user.Password:uri}@{server.Host}:{server.Port}/{encodedDatabase}?authSource={encodedDatabase}&authMechanism={MongoDBServerResource.AuthenticationMechanism}");
    }
}
