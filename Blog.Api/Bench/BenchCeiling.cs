namespace Blog.Api.Bench;

/// <summary>
/// The benchmark's ceiling: <c>GET /bench/ceiling</c> answers with the bytes of a file, read once into memory, through
/// the same middleware as every endpoint but without storage, serialization or cache. Present only when
/// <c>Bench:Enabled=true</c> (bench/run.sh sets it with <c>Bench:CeilingFile</c>, a saved response of page 1); the
/// product's endpoints and OpenAPI document never see it.
/// </summary>
internal static class BenchCeiling
{
    public const string Path = "/bench/ceiling";

    /// <summary>Adds the ceiling when the configuration asks for it; does nothing otherwise.</summary>
    public static void AddBenchCeiling(this IHostApplicationBuilder builder)
    {
        if (builder.Configuration.GetValue<bool>("Bench:Enabled"))
        {
            builder.Services.AddTransient<IStartupFilter>(_ => new StartupFilter(builder.Configuration["Bench:CeilingFile"]));
        }
    }

    // After the whole application pipeline (forwarded headers, exception handler, limits, authentication,
    // authorization, rate limiter, output cache, routing), where a request no endpoint matched arrives.
    private sealed class StartupFilter(string? file) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            var bytes = new Lazy<byte[]>(() => file is null ? "{}"u8.ToArray() : File.ReadAllBytes(file));
            app.Use((context, nextMiddleware) =>
                HttpMethods.IsGet(context.Request.Method) && context.Request.Path == Path
                    ? TypedResults.Bytes(bytes.Value, "application/json; charset=utf-8").ExecuteAsync(context)
                    : nextMiddleware(context));
        };
    }
}
