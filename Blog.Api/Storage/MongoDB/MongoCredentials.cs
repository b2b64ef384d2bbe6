using MongoDB.Driver;

namespace Blog.Api.Storage.MongoDB;

/// <summary>
/// The MongoDB user and password as settings of their own (<c>Blog:Storage:MongoUsername</c>, <c>Blog:Storage:MongoPassword</c>),
/// as the deployments give them: compose and Kubernetes substitute a password as it is, so a password with
/// <c>@ : / ? # %</c> cannot be written into a URL there. The driver's <see cref="MongoUrlBuilder"/> puts them into the
/// connection string URL-encoded, so any password works.
/// </summary>
internal static class MongoCredentials
{
    public const string UsernameKey = "Blog:Storage:MongoUsername";
    public const string PasswordKey = "Blog:Storage:MongoPassword";

    /// <summary>The connection string with the configured user and password in it; unchanged when neither is set.</summary>
    public static string? Apply(string? connectionString, IConfiguration configuration) =>
        Compose(connectionString, configuration[UsernameKey], configuration[PasswordKey]);

    public static string? Compose(string? connectionString, string? username, string? password)
    {
        if (string.IsNullOrWhiteSpace(connectionString) || (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(password)))
        {
            return connectionString;
        }

        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            throw new InvalidOperationException($"Set both '{UsernameKey}' and '{PasswordKey}', or neither (the connection string then carries the credentials).");
        }

        return new MongoUrlBuilder(connectionString) { Username = username, Password = password }.ToString();
    }
}
