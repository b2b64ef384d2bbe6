// TEMPORARY, storage branch only: a minimal Program so that Blog.Tests compiles here. The lead's Blog.Web replaces it.
var app = WebApplication.CreateBuilder(args).Build();
app.Run();
