using Blog.Web.Api;
using Blog.Web.Infrastructure;

namespace Blog.Tests.Web;

internal static class WebTestData
{
    public static readonly DateTimeOffset Published = new(2026, 3, 14, 9, 30, 0, TimeSpan.Zero);

    public static PostSummary Summary(string title = "Hello Aspire", int comments = 0, params string[] tags) => new(
        "p1", "hello-aspire", title, "A first look at the AppHost.", tags, "published",
        new AuthorRef("alice", "Alice Writer"), Published, Published, Published, comments, 3);

    public static CommentResponse Comment(string id, string username, string body = "Nice post!", bool hidden = false) =>
        new(id, body, new AuthorRef(username, username.ToUpperInvariant()), Published, null, hidden);

    public static CurrentUser User(string username, string role) => new($"id-{username}", username, username, role);
}
