extern alias BlogApi;

using System.Collections.Concurrent;
using System.Globalization;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;

namespace Blog.Tests.Api;

/// <summary>
/// The API with low sign-in limits (5 attempts per login and window from clients without a device token, 3 per device)
/// and a password hasher that counts how often it verifies each account's password.
/// </summary>
public sealed class SignInThrottleFactory : BlogApiFactory
{
    public const int Limit = 5;
    public const int DeviceLimit = 3;

    public SignInThrottleFactory() =>
        WithSettings(("SignIn:MaxAttemptsPerWindow", Limit.ToString(CultureInfo.InvariantCulture)),
            ("SignIn:MaxDeviceAttemptsPerWindow", DeviceLimit.ToString(CultureInfo.InvariantCulture)));

    public CountingHasher Hasher { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IPasswordHasher<User>>(Hasher));
    }

    /// <summary>Identity's hasher, counting verifications per user id.</summary>
    public sealed class CountingHasher : IPasswordHasher<User>
    {
        private readonly PasswordHasher<User> _inner = new();
        private readonly ConcurrentDictionary<string, int> _verifications = new();

        public int VerificationsOf(string userId) => _verifications.GetValueOrDefault(userId);

        public string HashPassword(User user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            _verifications.AddOrUpdate(user.Id, 1, (_, n) => n + 1);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
