// Stand-in for the official Aspire.Hosting.MongoDB package, which cannot be restored on our build machines.
// Same public shape, names, image, endpoint, environment and connection-string format (see shared/ASPIRE-FACTS.md),
// so switching to the official package is: delete this folder, add the package reference.

namespace Aspire.Hosting.ApplicationModel;

/// <summary>A MongoDB server running in a container.</summary>
public class MongoDBServerResource(string name, ParameterResource? userNameParameter, ParameterResource passwordParameter)
    : ContainerResource(name), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string DefaultUserName = "admin";
    internal const string AuthenticationDatabase = "admin";
    internal const string AuthenticationMechanism = "SCRAM-SHA-256";

    private readonly Dictionary<string, string> _databases = new(StringComparer.OrdinalIgnoreCase);

    public EndpointReference PrimaryEndpoint => field ??= new(this, PrimaryEndpointName);

    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    /// <summary>The root user name parameter; null means the default user <c>admin</c>.</summary>
    public ParameterResource? UserNameParameter { get; } = userNameParameter;

    public ParameterResource PasswordParameter { get; } = passwordParameter;

    /// <summary>Resource name -> database name of the databases added with <c>AddDatabase</c>.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    internal ReferenceExpression UserNameReference =>
        UserNameParameter is null ? ReferenceExpression.Create($"{DefaultUserName}") : ReferenceExpression.Create($"{UserNameParameter}");

    /// <summary><c>mongodb://user:password@host:port/?authSource=admin&amp;authMechanism=SCRAM-SHA-256</c></summary>
    public ReferenceExpression ConnectionStringExpression => BuildConnectionString(databaseName: null);

    /// <summary>
    /// The <c>Uri</c> connection property: the server's URL with the options the official package puts there,
    /// <c>mongodb://user:password@host:port/?authSource=admin&amp;authMechanism=SCRAM-SHA-256</c>.
    /// </summary>
    public ReferenceExpression UriExpression => BuildConnectionString(databaseName: null);

    internal ReferenceExpression BuildConnectionString(string? databaseName)
    {
        var builder = new ReferenceExpressionBuilder();
        AppendServerUri(builder);
        builder.AppendLiteral("/");
        if (databaseName is not null)
        {
            // The path of a MongoDB URL is the database name, percent-decoded by the drivers.
            builder.AppendLiteral(Uri.EscapeDataString(databaseName));
        }

        builder.AppendLiteral($"?authSource={AuthenticationDatabase}&authMechanism={AuthenticationMechanism}");
        return builder.Build();
    }

    /// <summary><c>mongodb://user:password@host:port</c> with user and password URL-encoded.</summary>
    private void AppendServerUri(ReferenceExpressionBuilder builder)
    {
        builder.AppendLiteral("mongodb://");
        if (UserNameParameter is null)
        {
            builder.AppendLiteral(DefaultUserName);
        }
        else
        {
            builder.Append($"{UserNameParameter:uri}");
        }

        builder.Append($":{PasswordParameter:uri}@{Host}:{Port}");
    }

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties()
    {
        yield return new("Host", ReferenceExpression.Create($"{Host}"));
        yield return new("Port", ReferenceExpression.Create($"{Port}"));
        yield return new("Username", UserNameReference);
        yield return new("Password", ReferenceExpression.Create($"{PasswordParameter}"));
        yield return new("AuthenticationDatabase", ReferenceExpression.Create($"{AuthenticationDatabase}"));
        yield return new("AuthenticationMechanism", ReferenceExpression.Create($"{AuthenticationMechanism}"));
        yield return new("Uri", UriExpression);
    }

    internal void AddDatabase(string name, string databaseName) => _databases.TryAdd(name, databaseName);
}

/// <summary>A database on a <see cref="MongoDBServerResource"/>. MongoDB creates it on first write.</summary>
public class MongoDBDatabaseResource(string name, string databaseName, MongoDBServerResource parent)
    : Resource(name), IResourceWithParent<MongoDBServerResource>, IResourceWithConnectionString
{
    public MongoDBServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    /// <summary><c>mongodb://user:password@host:port/{database}?authSource=admin&amp;authMechanism=SCRAM-SHA-256</c></summary>
    public ReferenceExpression ConnectionStringExpression => Parent.BuildConnectionString(DatabaseName);

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
        ((IResourceWithConnectionString)Parent).GetConnectionProperties()
            .Select(p => p.Key == "Uri" ? new KeyValuePair<string, ReferenceExpression>("Uri", ConnectionStringExpression) : p)
            .Append(new("DatabaseName", ReferenceExpression.Create($"{DatabaseName}")));
}
