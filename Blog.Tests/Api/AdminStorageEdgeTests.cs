extern alias BlogApi;

using System.Reflection;
using Blog.Api.Http;
using Blog.Api.Storage;
using Blog.Api.Storage.LiteDB;
using Blog.Api.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Blog.Tests.Api;

/// <summary>
/// What the Admin endpoints answer at the edges of the storage contract: a store that is busy (503, never 500), and
/// search texts that MongoDB's UTF-8 and regular expressions once refused (200 with the same users on both stores; the
/// store half is in the contract suite).
/// </summary>
public sealed class AdminStorageEdgeTests
{
    [Fact]
    public async Task ABusyStoreMakesAdminAccountChangesAnswer503WithRetryAfterNever500()
    {
        await using var factory = new BusyAccountChangesFactory();
        var (admin, _) = await factory.CreateUserAsync(Roles.Admin);
        var (_, reader) = await factory.CreateUserAsync(Roles.Reader);

        var responses = new[]
        {
            await admin.PutAsJsonAsync($"/api/users/{reader.Username}/role", new { role = Roles.Author }, Ct),
            await admin.PostAsync($"/api/users/{reader.Username}/disable", null, Ct),
            await admin.PostAsync($"/api/users/{reader.Username}/enable", null, Ct),
        };

        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
            var problem = await response.ReadProblemAsync();
            Assert.Contains("nothing was changed", problem.Detail, StringComparison.Ordinal);
        }

        var stored = await (await admin.GetAsync($"/api/users/{reader.Username}", Ct)).ReadAsync<ProfileResponse>();
        Assert.Equal(Roles.Reader, stored.Role);
    }

    [Theory]
    [InlineData("%00")]
    [InlineData("x%00y")]
    [InlineData("%01%1F%7F")]
    [InlineData("%E2%80%AE")]
    public async Task AdminUserSearchWithNulOrControlCharactersAnswers200(string q)
    {
        await using var factory = new BlogApiFactory();
        var admin = await factory.CreateClientAsync(Roles.Admin);

        var response = await admin.GetAsync($"/api/users?q={q}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.ReadAsync<PageResponse<UserResponse>>()).Items);
    }

    [Fact]
    public async Task AdminUserSearchCutByTheLengthLimitInsideASurrogatePairAnswers200WithTheMatchingUser()
    {
        await using var factory = new BlogApiFactory();
        var admin = await factory.CreateClientAsync(Roles.Admin);
        var prefix = new string('z', UsersApi.MaxSearchLength - 1);
        var (_, target) = await factory.CreateUserAsync(Roles.Reader);
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<IUserStore>();
            Assert.True(await users.UpdateProfileAsync(target.Id, prefix + "\U0001F600", null, Ct));
        }

        // The emoji's two UTF-16 units sit at positions 99 and 100: the limit of 100 falls between them.
        var q = Uri.EscapeDataString(prefix + "\U0001F600 and more");
        var response = await admin.GetAsync($"/api/users?q={q}", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.ReadAsync<PageResponse<UserResponse>>();
        Assert.Equal([target.Id], page.Items.Select(u => u.Id));
    }

    /// <summary>The embedded store, except that every account change reports the store busy (as MongoDB's does when it keeps losing to concurrent changes).</summary>
    private sealed class BusyAccountChangesFactory : BlogApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<LiteDbUserStore>();
                services.AddSingleton<IUserStore>(sp => BusyAccountChanges.Wrap(sp.GetRequiredService<LiteDbUserStore>()));
            });
        }
    }

    /// <summary>Forwards every <see cref="IUserStore"/> call, whatever methods it gains, except ChangeAccountAsync.</summary>
    public class BusyAccountChanges : DispatchProxy
    {
        private IUserStore _inner = null!;

        internal static IUserStore Wrap(IUserStore inner)
        {
            var proxy = Create<IUserStore, BusyAccountChanges>();
            ((BusyAccountChanges)(object)proxy)._inner = inner;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IUserStore.ChangeAccountAsync))
            {
                return Task.FromException<AccountChangeResult>(
                    new StoreBusyException("Every attempt lost to a concurrent change.", TimeSpan.FromSeconds(2.5)));
            }

            try
            {
                return targetMethod.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
                throw;
            }
        }
    }
}
