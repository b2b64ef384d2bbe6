namespace Blog.Web.Infrastructure;

/// <summary>
/// The browser's device token (OWASP "device cookie"): the API gives one on every successful sign-in, bound to that
/// account; the web keeps it in its own long-lived HttpOnly cookie, apart from the auth cookie (it outlives signing
/// out), and sends it with the next sign-in or password change. The API then counts those password attempts in this
/// browser's own bucket, so that someone else guessing the account's password cannot keep its owner out.
/// The token is signed by the API and opaque here; it grants nothing by itself.
/// </summary>
internal static class DeviceCookie
{
    public const string Name = ".Blog.Device";

    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(180);

    public static string? Read(HttpContext context) =>
        context.Request.Cookies.TryGetValue(Name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    /// <summary>Keeps <paramref name="deviceToken"/> (the newest one replaces the older); nothing when the API sent none.</summary>
    public static void Store(HttpContext context, string? deviceToken)
    {
        if (string.IsNullOrEmpty(deviceToken) || context.Response.HasStarted)
        {
            return;
        }

        var isDevelopment = context.RequestServices.GetRequiredService<IHostEnvironment>().IsDevelopment();
        context.Response.Cookies.Append(Name, deviceToken, new CookieOptions
        {
            HttpOnly = true,
            // As the auth cookie: plain http only for local development.
            Secure = !isDevelopment || context.Request.IsHttps,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            IsEssential = true,
            MaxAge = Lifetime,
        });
    }
}
