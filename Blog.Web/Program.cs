using Blog.Web.Components;
using Blog.Web.Infrastructure;

HealthProbe.ExitIfRequested(args); // container health checks: --healthcheck <url> (Blog.ServiceDefaults)
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddBlogForwardedHeaders();
builder.AddBlogDataProtection();
builder.AddBlogApiClient();
builder.AddBlogAuthentication();

builder.Services.AddSingleton<MarkdownRenderer>();
builder.Services.AddRazorComponents();

var app = builder.Build();

// First: HSTS, redirects, links and the address sent to the API must see what the ingress saw.
app.UseBlogForwardedHeaders();
app.UseSecurityHeaders();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapRazorComponents<App>();
app.MapBlogAccountEndpoints();
app.MapDefaultEndpoints();

app.Run();
