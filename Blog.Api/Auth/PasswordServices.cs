using Blog.Api.Storage;
using Microsoft.AspNetCore.Identity;

namespace Blog.Api.Auth;

/// <summary>
/// What every endpoint that checks or sets a password works with (sign-in, registration, the password changes), taken
/// as one <c>[AsParameters]</c> argument: the hasher, the policy for new passwords, and the guard that counts attempts.
/// </summary>
internal sealed record PasswordServices(IPasswordHasher<User> Hasher, PasswordPolicy Policy, SignInGuard Guard);
