using Blog.Api.Comments;
using Blog.Api.Posts;
using Blog.Api.Storage;

namespace Blog.Tests.Api;

public sealed class PostsApiTests(BlogApiFactory factory) : IClassFixture<BlogApiFactory>
{
    [Fact]
    public async Task SlugIsFoldedFromTheTitleAndNumberedWhenTaken()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var title = $"Crème Brûlée & Æsir: {Guid.NewGuid():N}!";

        var first = await author.CreatePostAsync(title);
        var second = await author.CreatePostAsync(title);
        var third = await author.CreatePostAsync(title);

        var expected = Slugs.FromTitle(title);
        Assert.StartsWith("creme-brulee-aesir-", expected);
        Assert.Equal(expected, first.Slug);
        Assert.Equal($"{expected}-2", second.Slug);
        Assert.Equal($"{expected}-3", third.Slug);
    }

    [Theory]
    [InlineData("Hello, World!", "hello-world")]
    [InlineData("  --Ünïcödé   ßtraße--  ", "unicode-sstrasse")]
    [InlineData("C# 14 & .NET 10", "c-14-net-10")]
    [InlineData("日本語", "post")]
    public void SlugsAreLowerCaseAsciiWithSingleHyphens(string title, string slug) =>
        Assert.Equal(slug, Slugs.FromTitle(title));

    [Fact]
    public void LongTitlesGiveSlugsOfAtMost80CharactersEvenWithASuffix()
    {
        var slug = Slugs.FromTitle(string.Join(' ', Enumerable.Repeat("word", 60)));

        Assert.InRange(slug.Length, 40, Slugs.MaxLength);
        Assert.False(slug.EndsWith('-'));
        Assert.InRange(Slugs.WithSuffix(slug, 123).Length, 40, Slugs.MaxLength);
        Assert.EndsWith("-123", Slugs.WithSuffix(slug, 123));
    }

    [Fact]
    public async Task SlugStaysTheSameWhenTheTitleChanges()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync("Original title " + Guid.NewGuid().ToString("N"));

        var response = await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = "A completely different title", tags = new[] { "x" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = await response.ReadAsync<PostResponse>();
        Assert.Equal(post.Slug, updated.Slug);
        Assert.Equal("A completely different title", updated.Title);
        Assert.Equal(post.Version + 1, updated.Version);
        Assert.Equal($"\"{updated.Version}\"", response.ETagOf());
    }

    [Fact]
    public async Task TagsAreTrimmedLowerCasedAndDeduplicatedInTheOrderGiven()
    {
        var author = await factory.CreateClientAsync(Roles.Author);

        var post = await author.CreatePostAsync(tags: ["  DotNet ", "C#", "dotnet", "asp.net", "c#"]);

        Assert.Equal(["dotnet", "c#", "asp.net"], post.Tags);
    }

    [Fact]
    public async Task GetReturnsTheBodyAndTheVersionAsETag()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync(body: "# Heading\n\nText");

        var response = await factory.CreateClient().FetchAsync($"/api/posts/{post.Slug}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.ETagOf());
        var read = await response.ReadAsync<PostResponse>();
        Assert.Equal("# Heading\n\nText", read.Body);
        Assert.Equal(PostStatus.Published, read.Status);
        Assert.NotNull(read.PublishedAt);
        Assert.Equal(DateTimeKind.Utc, read.CreatedAt.Kind);
    }

    [Fact]
    public async Task UpdateWithoutIfMatchIs428()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();

        var response = await author.PutPostAsync(post.Slug, ifMatch: null, new { title = "No precondition" });

        Assert.Equal(HttpStatusCode.PreconditionRequired, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task SecondUpdateWithTheSameIfMatchIs412()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var etag = $"\"{post.Version}\"";

        var first = await author.PutPostAsync(post.Slug, etag, new { title = "First edit" });
        var second = await author.PutPostAsync(post.Slug, etag, new { title = "Second edit" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        await second.ReadProblemAsync();
        var current = await (await author.FetchAsync($"/api/posts/{post.Slug}")).ReadAsync<PostResponse>();
        Assert.Equal("First edit", current.Title);
    }

    [Fact]
    public async Task ConcurrentUpdatesOfOneVersionHaveExactlyOneWinner()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var editor = await factory.CreateClientAsync(Roles.Editor);
        var post = await author.CreatePostAsync();
        var etag = $"\"{post.Version}\"";

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? author : editor).PutPostAsync(post.Slug, etag, new { title = $"Edit {i}" })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
        var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ReadAsync<PostResponse>();
        var current = await (await author.FetchAsync($"/api/posts/{post.Slug}")).ReadAsync<PostResponse>();
        Assert.Equal(winner.Title, current.Title);
        Assert.Equal(post.Version + 1, current.Version);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("W/\"1\"")]
    public async Task IfMatchMustNameTheVersionStrongly(string ifMatch)
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();

        var response = await author.PutPostAsync(post.Slug, ifMatch, new { title = "Blind write" });

        Assert.Equal(HttpStatusCode.PreconditionRequired, response.StatusCode);
    }

    [Fact]
    public async Task ValidationErrorsAreKeyedByTheCamelCaseJsonFieldNames()
    {
        var author = await factory.CreateClientAsync(Roles.Author);

        var response = await author.PostAsJsonAsync("/api/posts", new
        {
            title = "",
            summary = new string('s', PostLimits.SummaryMaxLength + 1),
            body = new string('b', PostLimits.BodyMaxLength + 1),
            tags = new[] { "has space" },
        }, Ct);

        var errors = await response.ReadValidationErrorsAsync();
        Assert.Equal(["body", "summary", "tags", "title"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TooManyOrTooLongTagsAreRefused()
    {
        var author = await factory.CreateClientAsync(Roles.Author);

        var tooMany = await author.PostAsJsonAsync("/api/posts",
            new { title = "t", tags = Enumerable.Range(0, PostTags.MaxCount + 1).Select(i => $"tag{i}") }, Ct);
        var tooLong = await author.PostAsJsonAsync("/api/posts", new { title = "t", tags = new[] { new string('x', PostTags.MaxLength + 1) } }, Ct);

        Assert.Equal(["tags"], (await tooMany.ReadValidationErrorsAsync()).Keys);
        Assert.Equal(["tags"], (await tooLong.ReadValidationErrorsAsync()).Keys);
    }

    [Fact]
    public async Task UpdateIsValidatedLikeCreate()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();

        var response = await author.PutPostAsync(post.Slug, $"\"{post.Version}\"", new { title = new string('t', PostLimits.TitleMaxLength + 1) });

        Assert.Equal(["title"], (await response.ReadValidationErrorsAsync()).Keys);
    }

    [Fact]
    public async Task OversizedBodyIs413()
    {
        var author = await factory.CreateClientAsync(Roles.Author);

        var response = await author.PostAsJsonAsync("/api/posts", new { title = "Huge", body = new string('x', 2_000_000) }, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await response.ReadProblemAsync();
    }

    [Fact]
    public async Task ListIsNewestFirstPagedAndCapped()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var tag = $"page{Guid.NewGuid():N}"[..20];
        var created = new List<PostResponse>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await author.CreatePostAsync(tags: [tag]));
        }

        var first = await (await author.FetchAsync($"/api/posts?tag={tag}&pageSize=2")).ReadPageAsync<PostSummary>();
        var second = await (await author.FetchAsync($"/api/posts?tag={tag}&pageSize=2&page=2")).ReadPageAsync<PostSummary>();
        var capped = await (await author.FetchAsync("/api/posts?pageSize=1000")).ReadPageAsync<PostSummary>();

        Assert.Equal(3, first.Total);
        Assert.Equal([created[2].Id, created[1].Id], first.Items.Select(p => p.Id));
        Assert.Equal([created[0].Id], second.Items.Select(p => p.Id));
        Assert.Equal(50, capped.PageSize);
    }

    [Fact]
    public async Task ListFiltersByAuthorUsernameTagAndWholeWords()
    {
        var (author, user) = await factory.CreateUserAsync(Roles.Author);
        var word = $"zebra{Guid.NewGuid():N}"[..16];
        var match = await author.CreatePostAsync(title: $"About {word} stripes", tags: ["animals"]);
        await author.CreatePostAsync(title: $"About {word}s plural", tags: ["animals"]);
        await (await factory.CreateClientAsync(Roles.Author)).CreatePostAsync(title: $"Someone else on {word}", tags: ["animals"]);

        var byAuthorAndWord = await (await author.FetchAsync($"/api/posts?author={user.Username.ToUpperInvariant()}&q={word.ToUpperInvariant()}"))
            .ReadPageAsync<PostSummary>();
        var byWords = await (await author.FetchAsync($"/api/posts?q={word}%20stripes")).ReadPageAsync<PostSummary>();
        var unknownAuthor = await (await author.FetchAsync("/api/posts?author=nobody-at-all")).ReadPageAsync<PostSummary>();

        Assert.Equal([match.Id], byAuthorAndWord.Items.Select(p => p.Id));
        Assert.Equal([match.Id], byWords.Items.Select(p => p.Id));
        Assert.Equal(0, unknownAuthor.Total);
    }

    [Theory]
    [InlineData("q", """{"$ne":null}""")]
    [InlineData("q", """{"$where":"1==1"}""")]
    [InlineData("tag", ".*")]
    [InlineData("tag", "c.+")]
    [InlineData("tag", """{"$ne":null}""")]
    [InlineData("author", """{"$ne":null}""")]
    [InlineData("author", ".*")]
    public async Task OperatorsAndPatternsInFiltersAreJustStrings(string parameter, string value)
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        await author.CreatePostAsync(title: "Plain words only", tags: ["c++", "csharp"]);

        var response = await author.FetchAsync($"/api/posts?{parameter}={Uri.EscapeDataString(value)}");

        var page = await response.ReadPageAsync<PostSummary>();
        Assert.Equal(0, page.Total);
        Assert.Empty(page.Items);
    }

    [Fact]
    public async Task TagsWithPatternCharactersMatchExactly()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync(tags: ["c++"]);

        var page = await (await author.FetchAsync($"/api/posts?tag={Uri.EscapeDataString("C++")}&pageSize=50")).ReadPageAsync<PostSummary>();

        Assert.Contains(page.Items, p => p.Id == post.Id);
        Assert.All(page.Items, p => Assert.Contains("c++", p.Tags));
    }

    [Fact]
    public async Task UnknownStatusIsAValidationError()
    {
        var response = await factory.CreateClient().FetchAsync("/api/posts?status=everything");

        Assert.Equal(["status"], (await response.ReadValidationErrorsAsync()).Keys);
    }

    [Fact]
    public async Task PublishSetsPublishedAtOnceAndRepublishKeepsIt()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var draft = await author.CreatePostAsync(publish: false);
        Assert.Null(draft.PublishedAt);

        // Each status change answers with the post's slug from then on (see DraftSlugTests).
        var published = await (await author.PostEmptyAsync($"/api/posts/{draft.Slug}/publish")).ReadAsync<PostResponse>();
        var again = await author.PostEmptyAsync($"/api/posts/{published.Slug}/publish");
        var unpublished = await (await author.PostEmptyAsync($"/api/posts/{published.Slug}/unpublish")).ReadAsync<PostResponse>();
        var republished = await (await author.PostEmptyAsync($"/api/posts/{unpublished.Slug}/publish")).ReadAsync<PostResponse>();

        Assert.Equal(PostStatus.Published, published.Status);
        Assert.NotNull(published.PublishedAt);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(published.Version, (await again.ReadAsync<PostResponse>()).Version);
        Assert.Equal(PostStatus.Draft, unpublished.Status);
        Assert.Equal(published.PublishedAt, unpublished.PublishedAt);
        Assert.Equal(PostStatus.Published, republished.Status);
        Assert.Equal(published.PublishedAt, republished.PublishedAt);
        Assert.Equal(published.Version + 2, republished.Version);
        Assert.Equal(published.Slug, republished.Slug);
    }

    [Fact]
    public async Task DeletingAPostDeletesItsComments()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        await author.CreateCommentAsync(post.Slug);

        var delete = await author.RemoveAsync($"/api/posts/{post.Slug}");

        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await author.FetchAsync($"/api/posts/{post.Slug}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await author.FetchAsync($"/api/posts/{post.Slug}/comments")).StatusCode);
        using var scope = factory.Services.CreateScope();
        var comments = scope.ServiceProvider.GetRequiredService<ICommentStore>();
        Assert.Equal(0, (await comments.ListAsync(post.Id, includeHidden: true, 1, 10, Ct)).Total);
    }

    [Fact]
    public async Task CommentCountFollowsVisibleComments()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        await author.CreateCommentAsync(post.Slug);
        var second = await author.CreateCommentAsync(post.Slug);
        await (await factory.CreateClientAsync(Roles.Editor)).PostEmptyAsync($"/api/posts/{post.Slug}/comments/{second.Id}/hide");

        var read = await (await author.FetchAsync($"/api/posts/{post.Slug}")).ReadAsync<PostResponse>();

        Assert.Equal(1, read.CommentCount);
    }

    [Fact]
    public async Task CommentBodyIsRequiredAndLimited()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();

        var empty = await author.PostAsJsonAsync($"/api/posts/{post.Slug}/comments", new { body = "  " }, Ct);
        var tooLong = await author.PostAsJsonAsync($"/api/posts/{post.Slug}/comments", new { body = new string('c', CommentLimits.BodyMaxLength + 1) }, Ct);

        Assert.Equal(["body"], (await empty.ReadValidationErrorsAsync()).Keys);
        Assert.Equal(["body"], (await tooLong.ReadValidationErrorsAsync()).Keys);
    }

    [Fact]
    public async Task CommentsAreListedOldestFirstInPages()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var post = await author.CreatePostAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await author.CreateCommentAsync(post.Slug, $"comment {i}")).Id);
        }

        var first = await (await author.FetchAsync($"/api/posts/{post.Slug}/comments?pageSize=2")).ReadPageAsync<CommentResponse>();
        var second = await (await author.FetchAsync($"/api/posts/{post.Slug}/comments?pageSize=2&page=2")).ReadPageAsync<CommentResponse>();

        Assert.Equal(3, first.Total);
        Assert.Equal(ids[..2], first.Items.Select(c => c.Id));
        Assert.Equal(ids[2..], second.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task TagsListsPublishedPostsOnlyWithCounts()
    {
        var author = await factory.CreateClientAsync(Roles.Author);
        var tag = $"count{Guid.NewGuid():N}"[..16];
        var draftOnly = $"draft{Guid.NewGuid():N}"[..16];
        await author.CreatePostAsync(tags: [tag]);
        await author.CreatePostAsync(tags: [tag]);
        await author.CreatePostAsync(tags: [draftOnly], publish: false);

        var response = await factory.CreateClient().FetchAsync("/api/tags");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tags = await response.ReadAsync<Blog.Api.Tags.TagResponse[]>();
        Assert.Equal(2, Assert.Single(tags, t => t.Tag == tag).Count);
        Assert.DoesNotContain(tags, t => t.Tag == draftOnly);
    }
}
