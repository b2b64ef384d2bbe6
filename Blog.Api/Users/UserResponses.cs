using Blog.Api.Storage;

namespace Blog.Api.Users;

/// <summary>A user as the user themself and Admins see it.</summary>
public sealed record UserResponse(
    string Id,
    string Username,
    string Email,
    string DisplayName,
    string? Bio,
    string Role,
    DateTime CreatedAt,
    bool Disabled);

/// <summary>A user as anyone sees it.</summary>
public sealed record ProfileResponse(string Username, string DisplayName, string? Bio, string Role, DateTime CreatedAt);

public static class UserMapping
{
    public static UserResponse AsResponse(this User user) =>
        new(user.Id, user.Username, user.Email, user.DisplayName, user.Bio, user.Role, user.CreatedAt.AsUtc(), user.Disabled);

    public static ProfileResponse AsProfile(this User user) =>
        new(user.Username, user.DisplayName, user.Bio, user.Role, user.CreatedAt.AsUtc());
}
