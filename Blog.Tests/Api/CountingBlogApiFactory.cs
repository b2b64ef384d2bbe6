using System.Collections.Concurrent;
using Blog.Api.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Blog.Tests.Api;

/// <summary>
/// The API with the in-memory output cache and stores that count their reads, so that "served from the cache"
/// is seen both from outside (the <c>Age</c> header only cached responses carry) and from inside (no store read);
/// and that can hold a read after it loaded its data (<see cref="ReadGate"/>), to interleave it with a write.
/// </summary>
public class CountingBlogApiFactory : BlogApiFactory
{
    public ConcurrentDictionary<string, int> SlugReads { get; } = new(StringComparer.Ordinal);

    /// <summary>Post list reads (store <c>ListAsync</c> calls), i.e. list misses.</summary>
    public int ListReads => _listReads;

    /// <summary>Holds the next post read of a slug, or comment list of a post id, once it has its data.</summary>
    public ReadGate Gate { get; } = new();

    private int _listReads;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            var inner = services.Last(d => d.ServiceType == typeof(IPostStore));
            services.AddSingleton<IPostStore>(sp => new CountingPostStore(Create<IPostStore>(sp, inner), this));
            var comments = services.Last(d => d.ServiceType == typeof(ICommentStore));
            services.AddSingleton<ICommentStore>(sp => new GatedCommentStore(Create<ICommentStore>(sp, comments), Gate));
        });
    }

    private static T Create<T>(IServiceProvider sp, ServiceDescriptor descriptor) =>
        (T)(descriptor.ImplementationInstance ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));

    private sealed class CountingPostStore(IPostStore inner, CountingBlogApiFactory factory) : IPostStore
    {
        public async Task<Post?> FindBySlugAsync(string slug, CancellationToken ct = default)
        {
            factory.SlugReads.AddOrUpdate(slug, 1, (_, n) => n + 1);
            var post = await inner.FindBySlugAsync(slug, ct);
            await factory.Gate.PassAsync(slug);
            return post;
        }

        public Task<PagedResult<Post>> ListAsync(PostQuery query, CancellationToken ct = default)
        {
            Interlocked.Increment(ref factory._listReads);
            return inner.ListAsync(query, ct);
        }

        public Task CreateAsync(Post post, CancellationToken ct = default) => inner.CreateAsync(post, ct);
        public Task<Post?> FindByIdAsync(string id, CancellationToken ct = default) => inner.FindByIdAsync(id, ct);
        public Task<bool> UpdateAsync(Post post, long expectedVersion, CancellationToken ct = default) => inner.UpdateAsync(post, expectedVersion, ct);
        public Task<bool> DeleteAsync(string id, CancellationToken ct = default) => inner.DeleteAsync(id, ct);
        public Task<IReadOnlyList<TagCount>> GetTagCountsAsync(CancellationToken ct = default) => inner.GetTagCountsAsync(ct);
    }

    private sealed class GatedCommentStore(ICommentStore inner, ReadGate gate) : ICommentStore
    {
        public async Task<PagedResult<Comment>> ListAsync(string postId, bool includeHidden, int page, int pageSize, CancellationToken ct = default)
        {
            var result = await inner.ListAsync(postId, includeHidden, page, pageSize, ct);
            await gate.PassAsync(postId);
            return result;
        }

        public Task CreateAsync(Comment comment, CancellationToken ct = default) => inner.CreateAsync(comment, ct);
        public Task<Comment?> FindAsync(string postId, string id, CancellationToken ct = default) => inner.FindAsync(postId, id, ct);
        public Task<bool> UpdateBodyAsync(string postId, string id, string body, DateTime updatedAt, CancellationToken ct = default) =>
            inner.UpdateBodyAsync(postId, id, body, updatedAt, ct);
        public Task<bool> SetHiddenAsync(string postId, string id, bool hidden, CancellationToken ct = default) => inner.SetHiddenAsync(postId, id, hidden, ct);
        public Task<bool> DeleteAsync(string postId, string id, CancellationToken ct = default) => inner.DeleteAsync(postId, id, ct);
    }
}

/// <summary>
/// A deterministic interleaving: <see cref="Arm"/> a key, and the next store read of it, once it has loaded its data,
/// reports <see cref="Entered"/> and waits for <see cref="Release"/>. No sleeps.
/// </summary>
public sealed class ReadGate
{
    private readonly Lock _lock = new();
    private string? _key;
    private TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task;

    public void Arm(string key)
    {
        lock (_lock)
        {
            _key = key;
            _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release() => _release.TrySetResult();

    internal Task PassAsync(string key)
    {
        TaskCompletionSource release;
        lock (_lock)
        {
            if (!string.Equals(_key, key, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }

            _key = null;
            release = _release;
            _entered.TrySetResult();
        }

        return release.Task;
    }
}
