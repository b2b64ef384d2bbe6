using Blog.Api.Posts;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

/// <summary>
/// No answer depends on another author's draft: drafts hold private slugs (base--random), public slugs are given at
/// publish time among published posts only, and unpublishing frees the public slug again.
/// </summary>
public sealed class DraftSlugTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    [Fact]
    public async Task AnotherAuthorsDraftDoesNotChangeTheSlugOfANewPost()
    {
        var (alice, bob) = (await factory.CreateClientAsync(Roles.Author), await factory.CreateClientAsync(Roles.Author));
        var title = ApiDriver.NewTitle("Secret plans");
        var bobsDraft = await bob.CreatePostAsync(title, publish: false);

        var alicesPost = await alice.CreatePostAsync(title);

        Assert.Equal(Slugs.FromTitle(title), alicesPost.Slug);
        Assert.StartsWith(Slugs.FromTitle(title) + Slugs.DraftMarker, bobsDraft.Slug);
        // Bob's draft is still his, under its private slug; publishing it gives it the next public slug.
        var published = await (await bob.PostEmptyAsync($"/api/posts/{bobsDraft.Slug}/publish")).ReadAsync<PostResponse>();
        Assert.Equal($"{Slugs.FromTitle(title)}-2", published.Slug);
        Assert.Equal(bobsDraft.Id, published.Id);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().FetchAsync($"/api/posts/{published.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.FetchAsync($"/api/posts/{bobsDraft.Slug}")).StatusCode);
    }

    [Fact]
    public async Task ANewDraftsSlugIsPrivateAndTellsNothingAboutOtherDrafts()
    {
        var (alice, bob) = (await factory.CreateClientAsync(Roles.Author), await factory.CreateClientAsync(Roles.Author));
        var title = ApiDriver.NewTitle("Same title");

        var bobsDraft = await bob.CreatePostAsync(title, publish: false);
        var alicesDraft = await alice.CreatePostAsync(title, publish: false);

        foreach (var draft in new[] { bobsDraft, alicesDraft })
        {
            Assert.True(Slugs.IsDraft(draft.Slug));
            Assert.Equal(Slugs.FromTitle(title), Slugs.BaseOf(draft.Slug));
            Assert.True(draft.Slug.Length <= Slugs.MaxLength);
        }

        Assert.NotEqual(bobsDraft.Slug, alicesDraft.Slug);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.FetchAsync($"/api/posts/{bobsDraft.Slug}")).StatusCode);
    }

    [Fact]
    public async Task UnpublishingFreesThePublicSlugAndRepublishingTakesTheFirstFreeOne()
    {
        var (alice, bob) = (await factory.CreateClientAsync(Roles.Author), await factory.CreateClientAsync(Roles.Author));
        var title = ApiDriver.NewTitle("Comes and goes");
        var post = await alice.CreatePostAsync(title);
        Assert.Equal(Slugs.FromTitle(title), post.Slug);

        var hidden = await (await alice.PostEmptyAsync($"/api/posts/{post.Slug}/unpublish")).ReadAsync<PostResponse>();
        var bobsPost = await bob.CreatePostAsync(title);
        var back = await (await alice.PostEmptyAsync($"/api/posts/{hidden.Slug}/publish")).ReadAsync<PostResponse>();

        Assert.True(Slugs.IsDraft(hidden.Slug));
        Assert.Equal(post.Slug, Slugs.BaseOf(hidden.Slug));
        // Bob's answer did not depend on Alice's hidden post.
        Assert.Equal(post.Slug, bobsPost.Slug);
        Assert.Equal($"{post.Slug}-2", back.Slug);
    }

    [Fact]
    public async Task DraftsPublishedAtTheSameTimeGetDistinctPublicSlugs()
    {
        var title = ApiDriver.NewTitle("Race");
        var authors = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => factory.CreateClientAsync(Roles.Author)));
        var drafts = await Task.WhenAll(authors.Select(a => a.CreatePostAsync(title, publish: false)));

        var published = await Task.WhenAll(authors.Zip(drafts).Select(async pair =>
            await (await pair.First.PostEmptyAsync($"/api/posts/{pair.Second.Slug}/publish")).ReadAsync<PostResponse>()));

        var expected = new[] { Slugs.FromTitle(title) }.Concat(Enumerable.Range(2, 3).Select(n => Slugs.WithSuffix(Slugs.FromTitle(title), n)));
        Assert.Equal(expected.Order(), published.Select(p => p.Slug).Order());
    }
}
