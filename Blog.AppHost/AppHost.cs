// TEMPORARY, storage branch only: a minimal AppHost so that Blog.Tests compiles here. The lead's AppHost replaces it.
var builder = DistributedApplication.CreateBuilder(args);
builder.Build().Run();
