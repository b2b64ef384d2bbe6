namespace Blog.Api.Bench;

/// <summary>
/// The benchmark's ceiling: <c>GET /bench/ceiling</c> answers with the bytes of a file, read once into memory, through
/// the same pipeline as every endpoint but without storage, serialization or cache. Mapped only when
/// <c>Bench:Enabled=true</c> (bench/run.sh sets it with <c>Bench:CeilingFile</c>, a saved response of page 1).
/// </summary>
public static class BenchApi
{
    public static IEndpointRouteBuilder MapBenchApi(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (!configuration.GetValue<bool>("Bench:Enabled"))
        {
            return app;
        }

        var file = configuration["Bench:CeilingFile"];
        var bytes = new Lazy<byte[]>(() => file is null ? "{}"u8.ToArray() : File.ReadAllBytes(file));

        app.MapGet("/bench/ceiling", () => TypedResults.Bytes(bytes.Value, "application/json; charset=utf-8"))
            .WithName("BenchCeiling")
            .WithSummary("Benchmark only: fixed bytes from memory")
            .ExcludeFromDescription();

        return app;
    }
}
