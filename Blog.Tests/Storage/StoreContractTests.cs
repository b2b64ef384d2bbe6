using Blog.Api.Posts;
using Blog.Api.Storage;

namespace Blog.Tests.Storage;

/// <summary>
/// The storage contract, run against every implementation (one concrete subclass per store). Each test starts from
/// empty collections. Concurrency tests release their calls together from separate threads (see RunConcurrently).
/// </summary>
public abstract class StoreContractTests(IStoreFixture fixture) : IAsyncLifetime
{
    private static readonly DateTime T0 = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// The time base of the refresh-token tests: a day from now, so that every expiry they write is still ahead of the
    /// server's clock and MongoDB's TTL index (which deletes by that clock at any pass) cannot remove a token mid-test.
    /// </summary>
    private static readonly DateTime TokenNow = DateTime.UnixEpoch.AddSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddDays(1);

    private StoreSet _stores = null!;

    private IUserStore Users => _stores.Users;
    private IPostStore Posts => _stores.Posts;
    private ICommentStore Comments => _stores.Comments;
    private IRefreshTokenStore Tokens => _stores.Tokens;
    private ISignInAttemptStore Attempts => _stores.Attempts;

    public async ValueTask InitializeAsync()
    {
        TestEnvironment.SkipIfMissing(fixture.SkipReason);
        _stores = await fixture.ResetAsync(Ct);
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    // ---------------------------------------------------------------- users

    [Fact]
    public async Task UsernameIsUniqueIgnoringCase()
    {
        await Users.CreateAsync(NewUser("Alice"), Ct);

        var ex = await Assert.ThrowsAsync<DuplicateKeyException>(() => Users.CreateAsync(NewUser("ALICE", email: "other@example.com"), Ct));

        Assert.Equal("username", ex.Field);
        Assert.Equal(1, await Users.CountAsync(Ct));
    }

    [Fact]
    public async Task EmailIsUniqueIgnoringCase()
    {
        await Users.CreateAsync(NewUser("alice", email: "Alice@Example.com"), Ct);

        var ex = await Assert.ThrowsAsync<DuplicateKeyException>(() => Users.CreateAsync(NewUser("bob", email: "alice@EXAMPLE.COM"), Ct));

        Assert.Equal("email", ex.Field);
        Assert.Equal(1, await Users.CountAsync(Ct));
    }

    [Fact]
    public async Task UsersAreFoundByUsernameOrEmailInAnyCase()
    {
        var alice = NewUser("Alice", email: "Alice@Example.com");
        await Users.CreateAsync(alice, Ct);
        await Users.CreateAsync(NewUser("bob"), Ct);

        Assert.Equal(alice.Id, (await Users.FindByUsernameAsync("aLiCe", Ct))?.Id);
        Assert.Equal(alice.Id, (await Users.FindByLoginAsync("ALICE", Ct))?.Id);
        Assert.Equal(alice.Id, (await Users.FindByLoginAsync("alice@example.COM", Ct))?.Id);
        Assert.Equal(alice.Id, (await Users.FindByIdAsync(alice.Id, Ct))?.Id);
        Assert.Null(await Users.FindByUsernameAsync("alice@example.com", Ct));
        Assert.Null(await Users.FindByLoginAsync("alic", Ct));
        Assert.Null(await Users.FindByIdAsync("missing", Ct));

        var stored = await Users.FindByUsernameAsync("alice", Ct);
        Assert.Equal("Alice", stored!.Username);
        Assert.Equal("alice", stored.NormalizedUsername);
        Assert.Equal("alice@example.com", stored.NormalizedEmail);
    }

    [Fact]
    public async Task OperatorLikeUsernamesAreJustStrings()
    {
        await Users.CreateAsync(NewUser("alice"), Ct);
        await Users.CreateAsync(NewUser("bob"), Ct);

        Assert.Null(await Users.FindByUsernameAsync("{\"$ne\": null}", Ct));
        Assert.Null(await Users.FindByLoginAsync("{\"$ne\": null}", Ct));
        Assert.Null(await Users.FindByLoginAsync("{\"$gt\": \"\"}", Ct));
        Assert.Null(await Users.FindByUsernameAsync(".*", Ct));
        Assert.Null(await Users.FindByUsernameAsync("alice' OR 1=1 OR '", Ct));

        var odd = NewUser("{\"$ne\": null}");
        await Users.CreateAsync(odd, Ct);
        var found = await Users.FindByUsernameAsync("{\"$NE\": null}", Ct);
        Assert.Equal(odd.Id, found?.Id);
        Assert.Equal("{\"$ne\": null}", found!.Username);
    }

    [Fact]
    public async Task AdminUserSearchIsACaseInsensitiveSubstringOrderedByUsernameAndPaged()
    {
        foreach (var name in new[] { "carol", "alice", "bob", "alicia", "malice" })
        {
            await Users.CreateAsync(NewUser(name), Ct);
        }

        var page1 = await Users.ListAsync("ALI", 1, 2, Ct);
        var page2 = await Users.ListAsync("ali", 2, 2, Ct);
        var all = await Users.ListAsync(null, 1, 10, Ct);
        var byDisplayName = await Users.ListAsync("display of car", 1, 10, Ct);
        var byEmail = await Users.ListAsync("BOB@EXAMPLE", 1, 10, Ct);

        Assert.Equal(3, page1.Total);
        Assert.Equal(["alice", "alicia"], page1.Items.Select(u => u.Username));
        Assert.Equal(["malice"], page2.Items.Select(u => u.Username));
        Assert.Equal(5, all.Total);
        Assert.Equal(["alice", "alicia", "bob", "carol", "malice"], all.Items.Select(u => u.Username));
        Assert.Equal(["carol"], byDisplayName.Items.Select(u => u.Username));
        Assert.Equal(["bob"], byEmail.Items.Select(u => u.Username));
    }

    [Fact]
    public async Task AdminUserSearchTreatsRegexCharactersLiterally()
    {
        await Users.CreateAsync(NewUser("dotstar", displayName: "a.*b"), Ct);
        await Users.CreateAsync(NewUser("plain", displayName: "axxb"), Ct);
        await Users.CreateAsync(NewUser("paren", displayName: "(x|y)"), Ct);

        var star = await Users.ListAsync(".*", 1, 10, Ct);
        var dot = await Users.ListAsync("a.b", 1, 10, Ct);
        var alternation = await Users.ListAsync("(x|y)", 1, 10, Ct);
        var broken = await Users.ListAsync("[", 1, 10, Ct);

        Assert.Equal(["dotstar"], star.Items.Select(u => u.Username));
        Assert.Empty(dot.Items);
        Assert.Equal(["paren"], alternation.Items.Select(u => u.Username));
        Assert.Equal(0, broken.Total);
    }

    [Fact]
    public async Task AdminUserSearchWithNulOrControlCharactersMatchesThemLiterally()
    {
        await Users.CreateAsync(NewUser("nul", displayName: "a\0b"), Ct);
        await Users.CreateAsync(NewUser("tab", displayName: "x\ty"), Ct);
        await Users.CreateAsync(NewUser("plain", displayName: "ab xy"), Ct);

        Assert.Equal(["nul"], (await Users.ListAsync("\0", 1, 10, Ct)).Items.Select(u => u.Username));
        Assert.Equal(["nul"], (await Users.ListAsync("A\0B", 1, 10, Ct)).Items.Select(u => u.Username));
        Assert.Equal(["tab"], (await Users.ListAsync("\t", 1, 10, Ct)).Items.Select(u => u.Username));
        var control = await Users.ListAsync("\u0001\u001f\u007f", 1, 10, Ct);
        Assert.Equal(0, control.Total);
        Assert.Empty(control.Items);
    }

    [Fact]
    public async Task AdminUserSearchCutInsideASurrogatePairIgnoresTheLoneHalf()
    {
        await Users.CreateAsync(NewUser("emoji", displayName: "fan \U0001F600"), Ct);
        await Users.CreateAsync(NewUser("other", displayName: "someone"), Ct);
        var highHalf = "\U0001F600"[..1];

        var cutAfterText = await Users.ListAsync("fan " + highHalf, 1, 10, Ct);
        var onlyAHalf = await Users.ListAsync(highHalf, 1, 10, Ct);
        var lowHalfFirst = await Users.ListAsync("\U0001F600"[1..] + "fan", 1, 10, Ct);
        var wholePair = await Users.ListAsync("\U0001F600", 1, 10, Ct);

        Assert.Equal(["emoji"], cutAfterText.Items.Select(u => u.Username));
        Assert.Equal(["emoji", "other"], onlyAHalf.Items.Select(u => u.Username)); // nothing left to search: everyone
        Assert.Equal(["emoji"], lowHalfFirst.Items.Select(u => u.Username));
        Assert.Equal(["emoji"], wholePair.Items.Select(u => u.Username));
    }

    [Fact]
    public async Task AdminUserSearchLowerCasesInvariantlyAndComparesOrdinally()
    {
        // The rule (UserSearch): ToLowerInvariant on both sides, then an ordinal substring. Invariant casing maps
        // U+212A KELVIN SIGN to 'k' but keeps U+0130 (dotted capital I) as it is, unlike the Turkish culture or a
        // server's case-insensitive regular expression.
        await Users.CreateAsync(NewUser("izmir", displayName: "\u0130zmir"), Ct);
        await Users.CreateAsync(NewUser("kelvin", displayName: "\u212Aelvin"), Ct);
        await Users.CreateAsync(NewUser("kilo", displayName: "Kilo"), Ct);

        Assert.Equal(["izmir"], (await Users.ListAsync("\u0130z", 1, 10, Ct)).Items.Select(u => u.Username));
        Assert.Equal(["izmir"], (await Users.ListAsync("izmir", 1, 10, Ct)).Items.Select(u => u.Username)); // the username
        Assert.Empty((await Users.ListAsync("display of izmir", 1, 10, Ct)).Items);
        Assert.Empty((await Users.ListAsync("izm\u0130r", 1, 10, Ct)).Items);
        Assert.Equal(["kelvin"], (await Users.ListAsync("KELVIN", 1, 10, Ct)).Items.Select(u => u.Username));
        Assert.Equal(["kelvin", "kilo"], (await Users.ListAsync("\u212A", 1, 10, Ct)).Items.Select(u => u.Username));
        Assert.Equal(["kilo"], (await Users.ListAsync("\u212Ailo", 1, 10, Ct)).Items.Select(u => u.Username));

        Assert.True(await Users.UpdateProfileAsync((await Users.FindByUsernameAsync("kilo", Ct))!.Id, "\u0130nce", null, Ct));
        Assert.Equal(["kilo"], (await Users.ListAsync("\u0130nce", 1, 10, Ct)).Items.Select(u => u.Username));
        Assert.DoesNotContain((await Users.ListAsync("ince", 1, 10, Ct)).Items, u => u.Username == "kilo");
    }

    [Fact]
    public async Task ProfileAndPasswordUpdatesPersistAndReportMissingUsers()
    {
        var alice = NewUser("alice");
        await Users.CreateAsync(alice, Ct);

        Assert.True(await Users.UpdateProfileAsync(alice.Id, "Alice A.", "Writes about Aspire.", Ct));
        Assert.True(await Users.SetPasswordHashAsync(alice.Id, "new-hash", Ct));
        Assert.False(await Users.UpdateProfileAsync("missing", "x", null, Ct));
        Assert.False(await Users.SetPasswordHashAsync("missing", "x", Ct));

        var stored = await Users.FindByIdAsync(alice.Id, Ct);
        Assert.Equal("Alice A.", stored!.DisplayName);
        Assert.Equal("Writes about Aspire.", stored.Bio);
        Assert.Equal("new-hash", stored.PasswordHash);
    }

    [Fact]
    public async Task TheLastEnabledAdminCannotBeDemotedOrDisabled()
    {
        var admin = NewUser("root", role: Roles.Admin);
        var disabledAdmin = NewUser("old-root", role: Roles.Admin);
        disabledAdmin.Disabled = true;
        await Users.CreateAsync(admin, Ct);
        await Users.CreateAsync(disabledAdmin, Ct);

        Assert.Equal(AccountChangeResult.LastAdmin, await Users.ChangeAccountAsync(admin.Id, Roles.Editor, null, Ct));
        Assert.Equal(AccountChangeResult.LastAdmin, await Users.ChangeAccountAsync(admin.Id, null, true, Ct));
        Assert.Equal(AccountChangeResult.NotFound, await Users.ChangeAccountAsync("missing", Roles.Reader, null, Ct));

        var stored = await Users.FindByIdAsync(admin.Id, Ct);
        Assert.Equal(Roles.Admin, stored!.Role);
        Assert.False(stored.Disabled);
    }

    [Fact]
    public async Task AnAdminCanBeDemotedWhileAnotherEnabledAdminRemains()
    {
        var first = NewUser("first", role: Roles.Admin);
        var reader = NewUser("reader");
        await Users.CreateAsync(first, Ct);
        await Users.CreateAsync(reader, Ct);

        Assert.Equal(AccountChangeResult.Changed, await Users.ChangeAccountAsync(reader.Id, "admin", null, Ct));
        Assert.Equal(AccountChangeResult.Changed, await Users.ChangeAccountAsync(first.Id, Roles.Author, null, Ct));
        Assert.Equal(AccountChangeResult.LastAdmin, await Users.ChangeAccountAsync(reader.Id, null, true, Ct));
        Assert.Equal(AccountChangeResult.Changed, await Users.ChangeAccountAsync(first.Id, null, true, Ct));

        Assert.Equal(Roles.Admin, (await Users.FindByIdAsync(reader.Id, Ct))!.Role);
        var demoted = await Users.FindByIdAsync(first.Id, Ct);
        Assert.Equal(Roles.Author, demoted!.Role);
        Assert.True(demoted.Disabled);
    }

    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnceLeaveExactlyOneEnabledAdmin()
    {
        var a = NewUser("admin-a", role: Roles.Admin);
        var b = NewUser("admin-b", role: Roles.Admin);
        await Users.CreateAsync(a, Ct);
        await Users.CreateAsync(b, Ct);

        for (var round = 0; round < 25; round++)
        {
            // Alternate between demoting and disabling: both remove an enabled Admin.
            var disable = round % 2 == 1;
            var ids = new[] { a.Id, b.Id };
            var results = await RunConcurrently(2, i =>
                Users.ChangeAccountAsync(ids[i], disable ? null : Roles.Reader, disable ? true : null, Ct));

            Assert.Equal(1, results.Count(r => r == AccountChangeResult.Changed));
            Assert.Equal(1, results.Count(r => r == AccountChangeResult.LastAdmin));
            var enabledAdmins = 0;
            foreach (var id in new[] { a.Id, b.Id })
            {
                var user = await Users.FindByIdAsync(id, Ct);
                enabledAdmins += user!.Role == Roles.Admin && !user.Disabled ? 1 : 0;
            }

            Assert.Equal(1, enabledAdmins);

            // Restore both for the next round.
            Assert.Equal(AccountChangeResult.Changed, await Users.ChangeAccountAsync(a.Id, Roles.Admin, false, Ct));
            Assert.Equal(AccountChangeResult.Changed, await Users.ChangeAccountAsync(b.Id, Roles.Admin, false, Ct));
        }
    }

    [Fact]
    public async Task TimesComeBackAsUtcTruncatedToMilliseconds()
    {
        var precise = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567);
        var alice = NewUser("alice");
        alice.CreatedAt = precise.ToLocalTime(); // a Local time is converted, not misread
        await Users.CreateAsync(alice, Ct);

        var stored = await Users.FindByIdAsync(alice.Id, Ct);

        var expected = new DateTime(2025, 1, 2, 3, 4, 5, 123, DateTimeKind.Utc);
        Assert.Equal(expected, stored!.CreatedAt);
        Assert.Equal(DateTimeKind.Utc, stored.CreatedAt.Kind);
        // The caller's object holds what was stored.
        Assert.Equal(stored.CreatedAt, alice.CreatedAt);
    }

    // ---------------------------------------------------------------- posts

    [Fact]
    public async Task SlugIsUnique()
    {
        await Posts.CreateAsync(NewPost("author", "hello-world"), Ct);

        var ex = await Assert.ThrowsAsync<DuplicateKeyException>(() => Posts.CreateAsync(NewPost("author", "hello-world"), Ct));

        Assert.Equal("slug", ex.Field);
    }

    [Fact]
    public async Task PostsAreFoundBySlugAndIdWithTheirTextExactlyAsWritten()
    {
        var post = NewPost("author", "exact", title: "  Spaces  ", body: "line 1\n\n  indented  ");
        post.Summary = "";
        post.Tags = ["b", "a"];
        await Posts.CreateAsync(post, Ct);

        var bySlug = await Posts.FindBySlugAsync("exact", Ct);
        var byId = await Posts.FindByIdAsync(post.Id, Ct);

        Assert.Equal(post.Id, bySlug?.Id);
        Assert.Equal("  Spaces  ", byId!.Title);
        Assert.Equal("", byId.Summary);
        Assert.Equal("line 1\n\n  indented  ", byId.Body);
        Assert.Equal(["b", "a"], byId.Tags);
        Assert.Equal(1, byId.Version);
        Assert.Null(await Posts.FindBySlugAsync("missing", Ct));
        Assert.Null(await Posts.FindBySlugAsync("EXACT", Ct));
    }

    [Fact]
    public async Task ListsReturnSummariesAndFindsLeaveOutTheSearchTerms()
    {
        var post = NewPost("author", "summary", title: "Summary words", body: "The body text", publishedAt: T0, tags: ["t"]);
        post.Summary = "In short";
        await Posts.CreateAsync(post, Ct);
        var draft = NewPost("author", "draft", body: "Draft body");
        await Posts.CreateAsync(draft, Ct);
        await Comments.CreateAsync(NewComment(post.Id, T0), Ct);

        foreach (var query in new[] { new PostQuery(), new PostQuery { Tag = "t" }, new PostQuery { Terms = ["body"] }, new PostQuery { AuthorId = "author" } })
        {
            var listed = Assert.Single((await Posts.ListAsync(query, Ct)).Items);
            Assert.Equal((post.Id, "summary", "Summary words", "In short", "author", PostStatus.Published), (listed.Id, listed.Slug, listed.Title, listed.Summary, listed.AuthorId, listed.Status));
            Assert.Equal(["t"], listed.Tags);
            Assert.Equal((T0, T0, (DateTime?)T0, 1, 1L), (listed.CreatedAt, listed.UpdatedAt, listed.PublishedAt, listed.CommentCount, listed.Version));
            Assert.Equal("", listed.Body);
            Assert.Empty(listed.SearchTerms);
        }

        var listedDraft = Assert.Single((await Posts.ListAsync(new PostQuery { Status = PostStatus.Draft }, Ct)).Items);
        Assert.Equal(("draft", (DateTime?)null, ""), (listedDraft.Slug, listedDraft.PublishedAt, listedDraft.Body));

        foreach (var found in new[] { await Posts.FindBySlugAsync("summary", Ct), await Posts.FindByIdAsync(post.Id, Ct) })
        {
            Assert.Equal("The body text", found!.Body);
            Assert.Equal(1, found.CommentCount);
            Assert.Empty(found.SearchTerms);
        }

        // A post read without its terms and written back is still found by its words (every write recomputes them).
        var read = (await Posts.FindBySlugAsync("summary", Ct))!;
        Assert.True(await Posts.UpdateAsync(read, read.Version, Ct));
        Assert.Equal(1, (await Posts.ListAsync(new PostQuery { Terms = ["body", "text"] }, Ct)).Total);
    }

    [Fact]
    public async Task PublishedPostsAreListedNewestPublishedFirst()
    {
        // Created in one order, published in another: the list follows PublishedAt.
        await Posts.CreateAsync(NewPost("a", "middle", publishedAt: T0.AddDays(2)), Ct);
        await Posts.CreateAsync(NewPost("a", "oldest", publishedAt: T0.AddDays(1)), Ct);
        await Posts.CreateAsync(NewPost("a", "newest", publishedAt: T0.AddDays(3)), Ct);
        await Posts.CreateAsync(NewPost("a", "a-draft"), Ct);

        var result = await Posts.ListAsync(new PostQuery(), Ct);

        Assert.Equal(3, result.Total);
        Assert.Equal(["newest", "middle", "oldest"], result.Items.Select(p => p.Slug));
    }

    [Fact]
    public async Task DraftsAreListedByLastUpdateNewestFirstAndNeverWithPublishedPosts()
    {
        var older = NewPost("a", "draft-older");
        older.UpdatedAt = T0.AddHours(1);
        var newer = NewPost("a", "draft-newer");
        newer.UpdatedAt = T0.AddHours(2);
        await Posts.CreateAsync(newer, Ct);
        await Posts.CreateAsync(older, Ct);
        await Posts.CreateAsync(NewPost("a", "published", publishedAt: T0), Ct);

        var drafts = await Posts.ListAsync(new PostQuery { Status = PostStatus.Draft }, Ct);

        Assert.Equal(2, drafts.Total);
        Assert.Equal(["draft-newer", "draft-older"], drafts.Items.Select(p => p.Slug));
    }

    [Fact]
    public async Task PostListsArePagedWithTheTotalOfAllMatches()
    {
        for (var i = 1; i <= 7; i++)
        {
            await Posts.CreateAsync(NewPost("a", $"post-{i}", publishedAt: T0.AddMinutes(i)), Ct);
        }

        var page1 = await Posts.ListAsync(new PostQuery { Page = 1, PageSize = 3 }, Ct);
        var page3 = await Posts.ListAsync(new PostQuery { Page = 3, PageSize = 3 }, Ct);
        var beyond = await Posts.ListAsync(new PostQuery { Page = 4, PageSize = 3 }, Ct);

        Assert.Equal(7, page1.Total);
        Assert.Equal(["post-7", "post-6", "post-5"], page1.Items.Select(p => p.Slug));
        Assert.Equal(["post-1"], page3.Items.Select(p => p.Slug));
        Assert.Equal(7, beyond.Total);
        Assert.Empty(beyond.Items);
    }

    [Fact]
    public async Task PostsPublishedAtTheSameMomentAreOrderedByIdDescendingAcrossPages()
    {
        // Inserted in a scrambled order, so neither store can pass by returning insertion order.
        foreach (var id in new[] { "p3", "p1", "p5", "p2", "p4" })
        {
            var post = NewPost("a", $"slug-{id}", publishedAt: T0);
            post.Id = id;
            await Posts.CreateAsync(post, Ct);
        }

        var newer = NewPost("a", "newer", publishedAt: T0.AddMilliseconds(1));
        newer.Id = "p0";
        await Posts.CreateAsync(newer, Ct);

        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var result = await Posts.ListAsync(new PostQuery { Page = page, PageSize = 2 }, Ct);
            pages.Add(string.Join(",", result.Items.Select(p => p.Id)));
        }

        var tagged = await Posts.ListAsync(new PostQuery { AuthorId = "a", Page = 2, PageSize = 2 }, Ct);

        Assert.Equal(["p0,p5", "p4,p3", "p2,p1"], pages);
        Assert.Equal(["p4", "p3"], tagged.Items.Select(p => p.Id));
    }

    [Fact]
    public async Task ListTotalsAndTagCountsFollowEveryWrite()
    {
        var first = NewPost("a", "first", publishedAt: T0, tags: ["x"]);
        await Posts.CreateAsync(first, Ct);
        Assert.Equal(1, (await Posts.ListAsync(new PostQuery(), Ct)).Total);
        Assert.Equal([new TagCount("x", 1)], await Posts.GetTagCountsAsync(Ct));

        await Posts.CreateAsync(NewPost("a", "second", publishedAt: T0, tags: ["x"]), Ct);
        Assert.Equal(2, (await Posts.ListAsync(new PostQuery(), Ct)).Total);
        Assert.Equal([new TagCount("x", 2)], await Posts.GetTagCountsAsync(Ct));

        var unpublished = Copy(first);
        unpublished.Status = PostStatus.Draft;
        Assert.True(await Posts.UpdateAsync(unpublished, first.Version, Ct));
        Assert.Equal(1, (await Posts.ListAsync(new PostQuery(), Ct)).Total);
        Assert.Equal(1, (await Posts.ListAsync(new PostQuery { Status = PostStatus.Draft }, Ct)).Total);
        Assert.Equal([new TagCount("x", 1)], await Posts.GetTagCountsAsync(Ct));

        Assert.True(await Posts.DeleteAsync(first.Id, Ct));
        Assert.Equal(0, (await Posts.ListAsync(new PostQuery { Status = PostStatus.Draft }, Ct)).Total);
    }

    [Fact]
    public async Task PostListsFilterByTagAndByAuthor()
    {
        await Posts.CreateAsync(NewPost("ann", "ann-aspire", publishedAt: T0.AddMinutes(1), tags: ["aspire", "dotnet"]), Ct);
        await Posts.CreateAsync(NewPost("ann", "ann-other", publishedAt: T0.AddMinutes(2), tags: ["cooking"]), Ct);
        await Posts.CreateAsync(NewPost("ben", "ben-aspire", publishedAt: T0.AddMinutes(3), tags: ["aspire"]), Ct);
        await Posts.CreateAsync(NewPost("ann", "ann-draft", tags: ["aspire"]), Ct);

        var aspire = await Posts.ListAsync(new PostQuery { Tag = "aspire" }, Ct);
        var ann = await Posts.ListAsync(new PostQuery { AuthorId = "ann" }, Ct);
        var annAspire = await Posts.ListAsync(new PostQuery { AuthorId = "ann", Tag = "aspire" }, Ct);
        var none = await Posts.ListAsync(new PostQuery { Tag = "asp" }, Ct);
        var annDrafts = await Posts.ListAsync(new PostQuery { AuthorId = "ann", Status = PostStatus.Draft }, Ct);

        Assert.Equal(["ben-aspire", "ann-aspire"], aspire.Items.Select(p => p.Slug));
        Assert.Equal(2, aspire.Total);
        Assert.Equal(["ann-other", "ann-aspire"], ann.Items.Select(p => p.Slug));
        Assert.Equal(["ann-aspire"], annAspire.Items.Select(p => p.Slug));
        Assert.Equal(0, none.Total);
        Assert.Equal(["ann-draft"], annDrafts.Items.Select(p => p.Slug));
    }

    [Fact]
    public async Task SearchMatchesAllGivenWholeWordsIgnoringCaseInTitleSummaryOrBody()
    {
        var inTitle = NewPost("a", "in-title", title: "Aspire in practice", publishedAt: T0.AddMinutes(1));
        var inSummary = NewPost("a", "in-summary", publishedAt: T0.AddMinutes(2));
        inSummary.Summary = "Why ASPIRE? Because MongoDB.";
        var inBody = NewPost("a", "in-body", body: "Deploying with aspire, then Redis.", publishedAt: T0.AddMinutes(3));
        var substringOnly = NewPost("a", "substring", title: "Aspirations and aspired things", publishedAt: T0.AddMinutes(4));
        await Posts.CreateAsync(inTitle, Ct);
        await Posts.CreateAsync(inSummary, Ct);
        await Posts.CreateAsync(inBody, Ct);
        await Posts.CreateAsync(substringOnly, Ct);

        async Task<IEnumerable<string>> Search(string q) =>
            (await Posts.ListAsync(new PostQuery { Terms = SearchTerms.Parse(q) }, Ct)).Items.Select(p => p.Slug);

        Assert.Equal(["in-body", "in-summary", "in-title"], await Search("Aspire"));
        Assert.Equal(["in-body", "in-summary", "in-title"], await Search("aspire"));
        Assert.Empty(await Search("asp"));
        Assert.Equal(["in-summary"], await Search("aspire mongodb"));
        Assert.Equal(["in-body"], await Search("REDIS aspire"));
        Assert.Empty(await Search("redis mongodb"));
        Assert.Equal(["substring"], await Search("aspirations"));
        Assert.Equal(1, (await Posts.ListAsync(new PostQuery { Terms = SearchTerms.Parse("redis") }, Ct)).Total);
    }

    [Fact]
    public async Task TagCountsCountPublishedPostsOnlyMostUsedFirstThenByName()
    {
        await Posts.CreateAsync(NewPost("a", "p1", publishedAt: T0, tags: ["dotnet", "aspire"]), Ct);
        await Posts.CreateAsync(NewPost("a", "p2", publishedAt: T0, tags: ["aspire", "redis"]), Ct);
        await Posts.CreateAsync(NewPost("a", "p3", publishedAt: T0, tags: ["cooking"]), Ct);
        await Posts.CreateAsync(NewPost("a", "d1", tags: ["aspire", "secret-draft-tag"]), Ct);

        var counts = await Posts.GetTagCountsAsync(Ct);

        Assert.Equal(
            [new TagCount("aspire", 2), new TagCount("cooking", 1), new TagCount("dotnet", 1), new TagCount("redis", 1)],
            counts);
    }

    [Fact]
    public async Task OfTwoUpdatesFromTheSameVersionExactlyOneWins()
    {
        var post = NewPost("a", "contended");
        await Posts.CreateAsync(post, Ct);

        for (var round = 0; round < 25; round++)
        {
            var current = (await Posts.FindByIdAsync(post.Id, Ct))!;
            var left = Copy(current, title: $"left {round}");
            var right = Copy(current, title: $"right {round}");
            var both = new[] { left, right };

            var results = await RunConcurrently(2, i => Posts.UpdateAsync(both[i], current.Version, Ct));

            Assert.Equal(1, results.Count(r => r));
            var stored = (await Posts.FindByIdAsync(post.Id, Ct))!;
            Assert.Equal(current.Version + 1, stored.Version);
            Assert.Equal(results[0] ? left.Title : right.Title, stored.Title);
            Assert.Equal(stored.Version, (results[0] ? left : right).Version);
        }
    }

    [Fact]
    public async Task AnUpdateFromAStaleVersionOrOfAMissingPostWritesNothing()
    {
        var post = NewPost("a", "stale", title: "v1");
        await Posts.CreateAsync(post, Ct);
        Assert.True(await Posts.UpdateAsync(Copy(post, title: "v2"), 1, Ct));

        var stale = Copy(post, title: "v3 from a stale read");
        Assert.False(await Posts.UpdateAsync(stale, 1, Ct));
        Assert.False(await Posts.UpdateAsync(Copy(post, id: "missing"), 1, Ct));

        var stored = (await Posts.FindByIdAsync(post.Id, Ct))!;
        Assert.Equal("v2", stored.Title);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task AnUpdateRefreshesSearchTermsAndKeepsTheCommentCount()
    {
        var post = NewPost("a", "edited", title: "Old words", publishedAt: T0);
        await Posts.CreateAsync(post, Ct);
        var read = (await Posts.FindByIdAsync(post.Id, Ct))!;
        await Comments.CreateAsync(NewComment(post.Id, T0), Ct);

        // The edit was made from a read taken before the comment arrived.
        Assert.True(await Posts.UpdateAsync(Copy(read, title: "Fresh words"), read.Version, Ct));

        var stored = (await Posts.FindByIdAsync(post.Id, Ct))!;
        Assert.Equal(1, stored.CommentCount);
        Assert.Equal(1, (await Posts.ListAsync(new PostQuery { Terms = ["fresh"] }, Ct)).Total);
        Assert.Equal(0, (await Posts.ListAsync(new PostQuery { Terms = ["old"] }, Ct)).Total);
    }

    [Fact]
    public async Task DeletingAPostDeletesItsComments()
    {
        var post = NewPost("a", "doomed", publishedAt: T0);
        var other = NewPost("a", "survivor", publishedAt: T0);
        await Posts.CreateAsync(post, Ct);
        await Posts.CreateAsync(other, Ct);
        var comment = NewComment(post.Id, T0);
        await Comments.CreateAsync(comment, Ct);
        await Comments.CreateAsync(NewComment(post.Id, T0.AddMinutes(1)), Ct);
        var kept = NewComment(other.Id, T0);
        await Comments.CreateAsync(kept, Ct);

        Assert.True(await Posts.DeleteAsync(post.Id, Ct));
        Assert.False(await Posts.DeleteAsync(post.Id, Ct));

        Assert.Null(await Posts.FindBySlugAsync("doomed", Ct));
        Assert.Null(await Comments.FindAsync(post.Id, comment.Id, Ct));
        Assert.Equal(0, (await Comments.ListAsync(post.Id, true, 1, 10, Ct)).Total);
        Assert.NotNull(await Comments.FindAsync(other.Id, kept.Id, Ct));
    }

    [Fact]
    public async Task StartUpRepairRecomputesCommentCountsAndRemovesCommentsOfDeletedPosts()
    {
        var post = NewPost("a", "torn", publishedAt: T0);
        var untouched = NewPost("a", "fine", publishedAt: T0);
        await Posts.CreateAsync(post, Ct);
        await Posts.CreateAsync(untouched, Ct);
        var visible = NewComment(post.Id, T0);
        var hidden = NewComment(post.Id, T0.AddMinutes(1));
        await Comments.CreateAsync(visible, Ct);
        await Comments.CreateAsync(hidden, Ct);
        Assert.True(await Comments.SetHiddenAsync(post.Id, hidden.Id, true, Ct));
        await Comments.CreateAsync(NewComment(untouched.Id, T0), Ct);

        // What a crash between the two writes of a two-document operation can leave: a comment stored without its count,
        // a count off by some steps, and comments of a post whose deletion stopped before them.
        var uncounted = NewComment(post.Id, T0.AddMinutes(2));
        await fixture.InsertCommentWithoutCountAsync(uncounted, Ct);
        await fixture.SetStoredCommentCountAsync(post.Id, 7, Ct);
        var orphan = NewComment("deleted-post", T0);
        await fixture.InsertCommentWithoutCountAsync(orphan, Ct);
        Assert.NotNull(await Comments.FindAsync("deleted-post", orphan.Id, Ct));

        await _stores.Initializer.InitializeAsync(Ct);

        Assert.Equal(2, (await Posts.FindByIdAsync(post.Id, Ct))!.CommentCount); // visible + uncounted; hidden is not counted
        Assert.Equal(1, (await Posts.FindByIdAsync(untouched.Id, Ct))!.CommentCount);
        Assert.Null(await Comments.FindAsync("deleted-post", orphan.Id, Ct));
        Assert.Equal(0, (await Comments.ListAsync("deleted-post", true, 1, 10, Ct)).Total);
        Assert.Equal(3, (await Comments.ListAsync(post.Id, true, 1, 10, Ct)).Total);
        Assert.Equal(2, (await Posts.ListAsync(new PostQuery(), Ct)).Total);
    }

    [Fact]
    public async Task StartUpGivesDraftsStoredWithAPublicLookingSlugAPrivateOneAndLeavesPublishedPostsAlone()
    {
        var oldDraft = NewPost("a", "old-draft-" + NewId()[..8]);
        var published = NewPost("a", "public-" + NewId()[..8], publishedAt: T0);
        var newDraft = NewPost("a", Slugs.ForDraft("new-draft"));
        await Posts.CreateAsync(oldDraft, Ct);
        await Posts.CreateAsync(published, Ct);
        await Posts.CreateAsync(newDraft, Ct);

        await _stores.Initializer.InitializeAsync(Ct);

        var migrated = (await Posts.FindByIdAsync(oldDraft.Id, Ct))!;
        Assert.True(Slugs.IsDraft(migrated.Slug), migrated.Slug);
        Assert.Equal(oldDraft.Slug, Slugs.BaseOf(migrated.Slug));
        Assert.Null(await Posts.FindBySlugAsync(oldDraft.Slug, Ct));
        Assert.Equal(published.Slug, (await Posts.FindByIdAsync(published.Id, Ct))!.Slug);
        Assert.Equal(newDraft.Slug, (await Posts.FindByIdAsync(newDraft.Id, Ct))!.Slug);
    }

    // ---------------------------------------------------------------- comments

    [Fact]
    public async Task CommentsAreListedOldestFirstPagedAndWithoutHiddenOnesUnlessAsked()
    {
        var post = NewPost("a", "discussed", publishedAt: T0);
        await Posts.CreateAsync(post, Ct);
        var comments = Enumerable.Range(1, 5).Select(i => NewComment(post.Id, T0.AddMinutes(10 - i), $"comment {i}")).ToList();
        foreach (var c in comments)
        {
            await Comments.CreateAsync(c, Ct);
        }

        Assert.True(await Comments.SetHiddenAsync(post.Id, comments[4].Id, true, Ct)); // the oldest

        var visible = await Comments.ListAsync(post.Id, false, 1, 3, Ct);
        var visiblePage2 = await Comments.ListAsync(post.Id, false, 2, 3, Ct);
        var all = await Comments.ListAsync(post.Id, true, 1, 10, Ct);

        Assert.Equal(4, visible.Total);
        Assert.Equal(["comment 4", "comment 3", "comment 2"], visible.Items.Select(c => c.Body));
        Assert.Equal(["comment 1"], visiblePage2.Items.Select(c => c.Body));
        Assert.Equal(5, all.Total);
        Assert.Equal(["comment 5", "comment 4", "comment 3", "comment 2", "comment 1"], all.Items.Select(c => c.Body));
    }

    [Fact]
    public async Task ThePostsCommentCountFollowsCreateHideUnhideAndDelete()
    {
        var post = NewPost("a", "counted", publishedAt: T0);
        await Posts.CreateAsync(post, Ct);
        async Task<int> Count() => (await Posts.FindByIdAsync(post.Id, Ct))!.CommentCount;

        var first = NewComment(post.Id, T0);
        var second = NewComment(post.Id, T0.AddMinutes(1));
        await Comments.CreateAsync(first, Ct);
        await Comments.CreateAsync(second, Ct);
        Assert.Equal(2, await Count());

        Assert.True(await Comments.SetHiddenAsync(post.Id, first.Id, true, Ct));
        Assert.True(await Comments.SetHiddenAsync(post.Id, first.Id, true, Ct)); // hiding twice counts once
        Assert.Equal(1, await Count());

        Assert.True(await Comments.SetHiddenAsync(post.Id, first.Id, false, Ct));
        Assert.Equal(2, await Count());

        Assert.True(await Comments.SetHiddenAsync(post.Id, second.Id, true, Ct));
        Assert.True(await Comments.DeleteAsync(post.Id, second.Id, Ct)); // a hidden one was not counted
        Assert.Equal(1, await Count());

        Assert.True(await Comments.DeleteAsync(post.Id, first.Id, Ct));
        Assert.False(await Comments.DeleteAsync(post.Id, first.Id, Ct));
        Assert.Equal(0, await Count());
    }

    [Fact]
    public async Task ConcurrentCommentsAreAllCounted()
    {
        var post = NewPost("a", "busy", publishedAt: T0);
        await Posts.CreateAsync(post, Ct);

        await RunConcurrently(20, i => Comments.CreateAsync(NewComment(post.Id, T0.AddSeconds(i)), Ct));

        Assert.Equal(20, (await Posts.FindByIdAsync(post.Id, Ct))!.CommentCount);
        Assert.Equal(20, (await Comments.ListAsync(post.Id, false, 1, 1, Ct)).Total);
    }

    [Fact]
    public async Task CommentsBelongToTheirPostForFindUpdateHideAndDelete()
    {
        var post = NewPost("a", "mine", publishedAt: T0);
        var other = NewPost("a", "theirs", publishedAt: T0);
        await Posts.CreateAsync(post, Ct);
        await Posts.CreateAsync(other, Ct);
        var comment = NewComment(post.Id, T0, "original");
        await Comments.CreateAsync(comment, Ct);

        Assert.Null(await Comments.FindAsync(other.Id, comment.Id, Ct));
        Assert.False(await Comments.UpdateBodyAsync(other.Id, comment.Id, "hijacked", T0, Ct));
        Assert.False(await Comments.SetHiddenAsync(other.Id, comment.Id, true, Ct));
        Assert.False(await Comments.DeleteAsync(other.Id, comment.Id, Ct));

        var edited = T0.AddMinutes(5).AddTicks(9999);
        Assert.True(await Comments.UpdateBodyAsync(post.Id, comment.Id, "edited", edited, Ct));
        var stored = await Comments.FindAsync(post.Id, comment.Id, Ct);
        Assert.Equal("edited", stored!.Body);
        Assert.Equal(Ms(edited), stored.UpdatedAt);
        Assert.Equal(T0, stored.CreatedAt);
        Assert.False(stored.Hidden);
        Assert.Equal(0, (await Posts.FindByIdAsync(other.Id, Ct))!.CommentCount);
    }

    // ---------------------------------------------------------------- refresh tokens

    [Fact]
    public async Task ARefreshTokenIsConsumedExactlyOnceUnderConcurrency()
    {
        var token = NewToken("user", "family", TokenNow.AddDays(7));
        await Tokens.CreateAsync(token, Ct);
        var now = TokenNow.AddMinutes(1).AddTicks(4321);

        var results = await RunConcurrently(16, _ => Tokens.TryConsumeAsync(token.Id, now, Ct));

        Assert.Equal(1, results.Count(r => r));
        var stored = await Tokens.FindByHashAsync(token.TokenHash, Ct);
        Assert.Equal(Ms(now), stored!.ConsumedAt);
        Assert.False(await Tokens.TryConsumeAsync(token.Id, now, Ct));
        Assert.False(await Tokens.TryConsumeAsync("missing", now, Ct));
    }

    [Fact]
    public async Task RevokingAFamilyOrAUserRevokesOnlyTheirTokens()
    {
        var f1a = NewToken("u1", "f1", TokenNow.AddDays(1));
        var f1b = NewToken("u1", "f1", TokenNow.AddDays(1));
        var f2 = NewToken("u1", "f2", TokenNow.AddDays(1));
        var other = NewToken("u2", "f3", TokenNow.AddDays(1));
        var single = NewToken("u2", "f4", TokenNow.AddDays(1));
        foreach (var t in new[] { f1a, f1b, f2, other, single })
        {
            await Tokens.CreateAsync(t, Ct);
        }

        async Task<DateTime?> RevokedAt(RefreshToken t) => (await Tokens.FindByHashAsync(t.TokenHash, Ct))!.RevokedAt;

        await Tokens.RevokeFamilyAsync("f1", TokenNow.AddMinutes(1), Ct);
        Assert.Equal(TokenNow.AddMinutes(1), await RevokedAt(f1a));
        Assert.Equal(TokenNow.AddMinutes(1), await RevokedAt(f1b));
        Assert.Null(await RevokedAt(f2));
        Assert.Null(await RevokedAt(other));

        await Tokens.RevokeAsync(single.Id, TokenNow.AddMinutes(2), Ct);
        Assert.Equal(TokenNow.AddMinutes(2), await RevokedAt(single));
        Assert.Null(await RevokedAt(other));

        await Tokens.RevokeAllForUserAsync("u1", TokenNow.AddMinutes(3), Ct);
        Assert.Equal(TokenNow.AddMinutes(1), await RevokedAt(f1a)); // the first revocation stands
        Assert.Equal(TokenNow.AddMinutes(3), await RevokedAt(f2));
        Assert.Null(await RevokedAt(other));
    }

    [Fact]
    public async Task DeleteExpiredRemovesOnlyTokensPastTheirExpiry()
    {
        var expired = NewToken("u", "f", TokenNow.AddSeconds(-1));
        var expiresNow = NewToken("u", "f", TokenNow);
        var valid = NewToken("u", "f", TokenNow.AddSeconds(1));
        await Tokens.CreateAsync(expired, Ct);
        await Tokens.CreateAsync(expiresNow, Ct);
        await Tokens.CreateAsync(valid, Ct);

        var deleted = await Tokens.DeleteExpiredAsync(TokenNow, Ct);

        Assert.Equal(2, deleted);
        Assert.Null(await Tokens.FindByHashAsync(expired.TokenHash, Ct));
        Assert.Null(await Tokens.FindByHashAsync(expiresNow.TokenHash, Ct));
        Assert.NotNull(await Tokens.FindByHashAsync(valid.TokenHash, Ct));
        Assert.Equal(0, await Tokens.DeleteExpiredAsync(TokenNow, Ct));
    }

    // ---------------------------------------------------------------- sign-in attempt counters

    [Fact]
    public async Task SignInCountersStartAtOneCountUpPerKeyAndKeepTheirFirstExpiry()
    {
        var first = await Attempts.IncrementAsync("window-a", T0.AddHours(1), Ct);
        // A later increment names another expiry: the counter keeps the one it was created with.
        var second = await Attempts.IncrementAsync("window-a", T0.AddSeconds(-1), Ct);
        var other = await Attempts.IncrementAsync("window-b", T0.AddHours(1), Ct);
        var deleted = await Attempts.DeleteExpiredAsync(T0, Ct);

        Assert.Equal((1L, 2L, 1L), (first, second, other));
        Assert.Equal(0, deleted);
        Assert.Equal(2, await Attempts.GetAsync("window-a", Ct));
        Assert.Equal(0, await Attempts.GetAsync("never-counted", Ct));
    }

    [Fact]
    public async Task ConcurrentSignInAttemptsAreEachCountedOnce()
    {
        var counts = await RunConcurrently(20, _ => Attempts.IncrementAsync("window", T0.AddHours(1), Ct));

        // Every caller got its own count: no two saw the same value, so a limit checked on it cannot be out-raced.
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), counts.Order());
        Assert.Equal(20, await Attempts.GetAsync("window", Ct));
    }

    [Fact]
    public async Task DeleteExpiredRemovesOnlySignInCountersPastTheirExpiry()
    {
        await Attempts.IncrementAsync("expired", T0.AddSeconds(-1), Ct);
        await Attempts.IncrementAsync("expires-now", T0, Ct);
        await Attempts.IncrementAsync("valid", T0.AddSeconds(1), Ct);

        var deleted = await Attempts.DeleteExpiredAsync(T0, Ct);

        Assert.Equal(2, deleted);
        Assert.Equal((0L, 0L, 1L), (await Attempts.GetAsync("expired", Ct), await Attempts.GetAsync("expires-now", Ct), await Attempts.GetAsync("valid", Ct)));
        // A deleted window starts again from one.
        Assert.Equal(1, await Attempts.IncrementAsync("expired", T0.AddHours(1), Ct));
    }

    [Fact]
    public async Task ARefreshTokenIdOrHashIsTakenOnceAndTheTokenIsFoundById()
    {
        var token = NewToken("u1", "f1", T0.AddDays(1));
        await Tokens.CreateAsync(token, Ct);

        var sameId = NewToken("u1", "f1", T0.AddDays(2));
        sameId.Id = token.Id;
        var sameHash = NewToken("u1", "f1", T0.AddDays(2));
        sameHash.TokenHash = token.TokenHash;

        await Assert.ThrowsAsync<DuplicateKeyException>(() => Tokens.CreateAsync(sameId, Ct));
        await Assert.ThrowsAsync<DuplicateKeyException>(() => Tokens.CreateAsync(sameHash, Ct));
        var stored = await Tokens.FindByIdAsync(token.Id, Ct);
        Assert.Equal(token.TokenHash, stored?.TokenHash);
        Assert.Equal(T0.AddDays(1), stored?.ExpiresAt);
        Assert.Null(await Tokens.FindByIdAsync("missing", Ct));
    }

    [Fact]
    public async Task ARefreshFamilyIsStoredOnceAndReadBackAsWritten()
    {
        var family = NewFamily("u1", T0.AddDays(30));
        family.SessionVersion = 3;
        family.CreatedAt = T0.AddTicks(4321);
        await Tokens.CreateFamilyAsync(family, Ct);

        var stored = await Tokens.FindFamilyAsync(family.Id, Ct);

        Assert.NotNull(stored);
        Assert.Equal("u1", stored.UserId);
        Assert.Equal(3, stored.SessionVersion);
        Assert.Equal(Ms(T0.AddTicks(4321)), stored.CreatedAt);
        Assert.Equal(T0.AddDays(30), stored.ExpiresAt);
        Assert.Null(stored.RevokedAt);
        Assert.Null(await Tokens.FindFamilyAsync("missing", Ct));
        await Assert.ThrowsAsync<DuplicateKeyException>(() => Tokens.CreateFamilyAsync(NewFamily("u2", T0, family.Id), Ct));
    }

    [Fact]
    public async Task RevokingAFamilyOrAUserRevokesTheFamilyDocumentsAndKeepsTheFirstTime()
    {
        var f1 = NewFamily("u1", T0.AddDays(30));
        var f2 = NewFamily("u1", T0.AddDays(30));
        var other = NewFamily("u2", T0.AddDays(30));
        foreach (var f in new[] { f1, f2, other })
        {
            await Tokens.CreateFamilyAsync(f, Ct);
        }

        async Task<DateTime?> RevokedAt(RefreshFamily f) => (await Tokens.FindFamilyAsync(f.Id, Ct))!.RevokedAt;

        await Tokens.RevokeFamilyAsync(f1.Id, T0.AddMinutes(1), Ct);
        Assert.Equal(T0.AddMinutes(1), await RevokedAt(f1));
        Assert.Null(await RevokedAt(f2));

        await Tokens.RevokeAllForUserAsync("u1", T0.AddMinutes(2), Ct);
        Assert.Equal(T0.AddMinutes(1), await RevokedAt(f1));
        Assert.Equal(T0.AddMinutes(2), await RevokedAt(f2));
        Assert.Null(await RevokedAt(other));
    }

    [Fact]
    public async Task ARevokedFamilyStaysRevokedWhateverTokensAreAddedToItConcurrently()
    {
        // A refresh racing a sign-out: the rotation inserts tokens while the family is revoked. Whatever the
        // interleaving, the family document ends revoked, which is what every later use reads.
        var family = NewFamily("u1", T0.AddDays(30));
        await Tokens.CreateFamilyAsync(family, Ct);

        await RunConcurrently(16, i => i % 4 == 0
            ? Tokens.RevokeFamilyAsync(family.Id, T0.AddMinutes(1), Ct)
            : Tokens.CreateAsync(NewToken("u1", family.Id, T0.AddDays(1)), Ct));

        Assert.Equal(T0.AddMinutes(1), (await Tokens.FindFamilyAsync(family.Id, Ct))!.RevokedAt);
        await Tokens.CreateAsync(NewToken("u1", family.Id, T0.AddDays(1)), Ct);
        Assert.NotNull((await Tokens.FindFamilyAsync(family.Id, Ct))!.RevokedAt);
    }

    [Fact]
    public async Task DeleteExpiredAlsoRemovesFamiliesPastTheirAbsoluteLifetime()
    {
        var ended = NewFamily("u", T0);
        var living = NewFamily("u", T0.AddSeconds(1));
        await Tokens.CreateFamilyAsync(ended, Ct);
        await Tokens.CreateFamilyAsync(living, Ct);

        Assert.Equal(1, await Tokens.DeleteExpiredAsync(T0, Ct));
        Assert.Null(await Tokens.FindFamilyAsync(ended.Id, Ct));
        Assert.NotNull(await Tokens.FindFamilyAsync(living.Id, Ct));
    }

    [Fact]
    public async Task EndingSessionsIncrementsTheSessionVersionOncePerCallUnderConcurrency()
    {
        var alice = NewUser("alice");
        await Users.CreateAsync(alice, Ct);
        Assert.Equal(0, (await Users.FindByIdAsync(alice.Id, Ct))!.SessionVersion);

        var results = await RunConcurrently(12, _ => Users.EndSessionsAsync(alice.Id, Ct));

        Assert.All(results, Assert.True);
        Assert.Equal(12, (await Users.FindByIdAsync(alice.Id, Ct))!.SessionVersion);
        Assert.False(await Users.EndSessionsAsync("missing", Ct));
    }

    [Fact]
    public async Task InitializingTwiceIsHarmlessAndKeepsTheUniqueIndexes()
    {
        await _stores.Initializer.InitializeAsync(Ct);
        await _stores.Initializer.InitializeAsync(Ct);
        await Users.CreateAsync(NewUser("alice"), Ct);

        await Assert.ThrowsAsync<DuplicateKeyException>(() => Users.CreateAsync(NewUser("Alice", email: "x@example.com"), Ct));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>
    /// Starts <paramref name="count"/> calls on their own threads, released together by a barrier so that they really
    /// overlap (the embedded store completes synchronously, so a plain Task.WhenAll would run them one by one).
    /// </summary>
    private static async Task<T[]> RunConcurrently<T>(int count, Func<int, Task<T>> call)
    {
        using var barrier = new Barrier(count);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Factory.StartNew(
            () =>
            {
                barrier.SignalAndWait(TimeSpan.FromSeconds(10), Ct);
                return call(i);
            },
            Ct,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap());
        return await Task.WhenAll(tasks);
    }

    private static async Task RunConcurrently(int count, Func<int, Task> call) =>
        await RunConcurrently(count, async i =>
        {
            await call(i);
            return true;
        });

    private static DateTime Ms(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    private static string NewId() => Guid.NewGuid().ToString("N");

    private static User NewUser(string username, string? email = null, string role = Roles.Reader, string? displayName = null) => new()
    {
        Id = NewId(),
        Username = username,
        NormalizedUsername = username.ToLowerInvariant(),
        Email = email ?? $"{username}@example.com",
        NormalizedEmail = (email ?? $"{username}@example.com").ToLowerInvariant(),
        DisplayName = displayName ?? $"Display of {username}",
        Role = role,
        PasswordHash = "hash",
        CreatedAt = T0,
    };

    private static Post NewPost(
        string authorId, string slug, string? title = null, string? body = null, DateTime? publishedAt = null, List<string>? tags = null) => new()
    {
        Id = NewId(),
        Slug = slug,
        Title = title ?? $"Title of {slug}",
        Body = body ?? "",
        Tags = tags ?? [],
        Status = publishedAt is null ? PostStatus.Draft : PostStatus.Published,
        AuthorId = authorId,
        CreatedAt = T0,
        UpdatedAt = publishedAt ?? T0,
        PublishedAt = publishedAt,
    };

    private static Post Copy(Post p, string? title = null, string? id = null) => new()
    {
        Id = id ?? p.Id,
        Slug = p.Slug,
        Title = title ?? p.Title,
        Summary = p.Summary,
        Body = p.Body,
        Tags = [.. p.Tags],
        Status = p.Status,
        AuthorId = p.AuthorId,
        CreatedAt = p.CreatedAt,
        UpdatedAt = p.UpdatedAt,
        PublishedAt = p.PublishedAt,
        Version = p.Version,
        CommentCount = p.CommentCount,
    };

    private static Comment NewComment(string postId, DateTime createdAt, string body = "Nice post.") => new()
    {
        Id = NewId(),
        PostId = postId,
        AuthorId = "commenter",
        Body = body,
        CreatedAt = createdAt,
    };

    private static RefreshFamily NewFamily(string userId, DateTime expiresAt, string? id = null) => new()
    {
        Id = id ?? NewId(),
        UserId = userId,
        CreatedAt = T0,
        ExpiresAt = expiresAt,
    };

    private static RefreshToken NewToken(string userId, string familyId, DateTime expiresAt) => new()
    {
        Id = NewId(),
        TokenHash = NewId() + NewId(),
        UserId = userId,
        FamilyId = familyId,
        CreatedAt = TokenNow.AddDays(-1),
        ExpiresAt = expiresAt,
    };
}

public sealed class LiteDbStoreTests(LiteDbFixture fixture) : StoreContractTests(fixture), IClassFixture<LiteDbFixture>;

public sealed class MongoDbStoreTests(MongoDbFixture fixture) : StoreContractTests(fixture), IClassFixture<MongoDbFixture>;
