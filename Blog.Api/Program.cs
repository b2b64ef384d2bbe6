using Blog.Api;
using Blog.Api.Posts;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseBlogPipeline();

app.MapDefaultEndpoints();
app.MapPostsApi();

app.Run();

/// <summary>Entry point, public so that tests can host the API with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
