using Blog.Api;
using Blog.Api.Auth;
using Blog.Api.Comments;
using Blog.Api.Http;
using Blog.Api.Posts;
using Blog.Api.Tags;
using Blog.Api.Users;

HealthProbe.ExitIfRequested(args); // container health checks: --healthcheck <url> (Blog.ServiceDefaults)
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseBlogPipeline();

app.MapDefaultEndpoints();
app.MapBlogOpenApi();
app.MapAuthApi();
app.MapUsersApi();
app.MapPostsApi();
app.MapCommentsApi();
app.MapTagsApi();

app.Run();

/// <summary>Entry point, public so that tests can host the API with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
