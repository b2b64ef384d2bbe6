using Blog.Api.Storage;

namespace Blog.Tests.Storage;

/// <summary>
/// Storage documents for the store-level tests, every required field filled in. The graph they make together: user
/// <c>u1</c> writes the published posts, comments go on post <c>p1</c>, refresh tokens belong to <c>u1</c> in family
/// <c>f1</c>.
/// </summary>
internal static class TestDocuments
{
    public static User User(string id, string username, DateTime createdAt, string role = Roles.Reader, string? displayName = null) => new()
    {
        Id = id,
        Username = username,
        NormalizedUsername = username,
        Email = $"{username}@example.com",
        NormalizedEmail = $"{username}@example.com",
        DisplayName = displayName ?? username,
        Role = role,
        PasswordHash = "hash",
        CreatedAt = createdAt,
    };

    public static Post Post(string id, string slug, DateTime at, string tag = "dotnet", string body = "") => new()
    {
        Id = id,
        Slug = slug,
        Title = $"Title of {slug}",
        Body = body,
        Tags = [tag],
        Status = PostStatus.Published,
        AuthorId = "u1",
        CreatedAt = at,
        UpdatedAt = at,
        PublishedAt = at,
    };

    public static Comment Comment(string id, DateTime createdAt) =>
        new() { Id = id, PostId = "p1", AuthorId = "u1", Body = "Nice post.", CreatedAt = createdAt };

    public static RefreshToken Token(string id, DateTime createdAt) => new()
    {
        Id = id,
        TokenHash = $"hash-{id}",
        UserId = "u1",
        FamilyId = "f1",
        CreatedAt = createdAt,
        ExpiresAt = createdAt.AddDays(7),
    };

    public static RefreshFamily Family(string id, DateTime createdAt, long sessionVersion = 0) => new()
    {
        Id = id,
        UserId = "u1",
        SessionVersion = sessionVersion,
        CreatedAt = createdAt,
        ExpiresAt = createdAt.AddDays(30),
    };
}
