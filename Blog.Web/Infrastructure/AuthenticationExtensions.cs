using System.Globalization;
using System.Net;
using Blog.Web.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.WebUtilities;

namespace Blog.Web.Infrastructure;

/// <summary>
/// Cookie authentication that keeps the API's access and refresh tokens server-side, inside the encrypted auth
/// cookie. Each request re-reads the user from the API (<c>/api/auth/me</c>) while the cookie is validated, so a
/// role change or a disabled account shows on the next request; expiring access tokens are refreshed there too,
/// before the response starts, where the cookie can still be rewritten.
/// </summary>
internal static class AuthenticationExtensions
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>
    /// <see cref="HttpContext.Items"/> key set when this request found the sign-in no longer valid (account disabled,
    /// session revoked or expired) and signed the user out, so that the page can tell them why they are signed out.
    /// </summary>
    public const string SessionEndedItem = "Blog.SessionEnded";

    /// <summary>Query flag on the sign-in page after a request found the session ended.</summary>
    public const string SessionEndedQuery = "sessionEnded";

    private static readonly TimeSpan RefreshBeforeExpiry = TimeSpan.FromSeconds(60);

    public static IHostApplicationBuilder AddBlogAuthentication(this IHostApplicationBuilder builder)
    {
        var isDevelopment = builder.Environment.IsDevelopment();

        builder.Services.AddAuthentication(Scheme)
            .AddCookie(Scheme, options =>
            {
                options.Cookie.Name = ".Blog.Auth";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                // Plain http is only for local development (the AppHost's http profile); everywhere else Secure.
                options.Cookie.SecurePolicy = isDevelopment ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                options.LoginPath = "/account/signin";
                options.LogoutPath = "/account/signout";
                options.AccessDeniedPath = "/forbidden";
                options.ExpireTimeSpan = TimeSpan.FromDays(14);
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = ValidatePrincipalAsync;
                var redirectToLogin = options.Events.OnRedirectToLogin;
                options.Events.OnRedirectToLogin = context =>
                {
                    if (context.HttpContext.Items.ContainsKey(SessionEndedItem))
                    {
                        context.RedirectUri = QueryHelpers.AddQueryString(context.RedirectUri, SessionEndedQuery, "1");
                    }

                    return redirectToLogin(context);
                };
            });

        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>
    /// Signs the API user in: the principal from the user, the tokens into the cookie's properties, and the device
    /// token the API gave for this sign-in into <see cref="DeviceCookie"/>.
    /// </summary>
    public static Task SignInAsync(HttpContext context, AuthResponse auth, bool persistent = true)
    {
        var properties = new AuthenticationProperties { IsPersistent = persistent };
        StoreTokens(properties, auth);
        DeviceCookie.Store(context, auth.DeviceToken);
        return context.SignInAsync(Scheme, CurrentUser.CreatePrincipal(auth.User, Scheme), properties);
    }

    /// <summary>
    /// <c>POST /account/signout</c>: revokes the refresh token at the API and clears the cookie. Only with a valid
    /// antiforgery token (the header's form sends one): another site must not be able to sign a reader out.
    /// </summary>
    public static IEndpointRouteBuilder MapBlogAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/account/signout", async (HttpContext context, BlogApiClient api, IAntiforgery antiforgery) =>
        {
            // Checked here, not left to UseAntiforgery: the middleware only records its verdict
            // (IAntiforgeryValidationFeature) and leaves refusing to whoever reads the form, and this endpoint reads
            // none, so a cross-site POST went through. Where the middleware gave no verdict, ask antiforgery itself.
            var verdict = context.Features.Get<IAntiforgeryValidationFeature>();
            if (!(verdict?.IsValid ?? await antiforgery.IsRequestValidAsync(context)))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "The sign-out form has expired. Reload the page and try again.");
            }

            var refreshToken = await context.GetTokenAsync(AuthTokens.RefreshToken);
            if (!string.IsNullOrEmpty(refreshToken))
            {
                try
                {
                    await api.LogoutAsync(refreshToken, context.RequestAborted);
                }
                catch (ApiUnavailableException)
                {
                    // The cookie goes anyway; the refresh token expires on its own.
                }
            }

            await context.SignOutAsync(Scheme);
            return Results.LocalRedirect("/");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());

        return endpoints;
    }

    private static void StoreTokens(AuthenticationProperties properties, AuthResponse auth) =>
        properties.StoreTokens(
        [
            new AuthenticationToken { Name = AuthTokens.AccessToken, Value = auth.AccessToken },
            new AuthenticationToken { Name = AuthTokens.RefreshToken, Value = auth.RefreshToken },
            new AuthenticationToken { Name = AuthTokens.ExpiresAt, Value = auth.ExpiresAt.ToString("O", CultureInfo.InvariantCulture) },
        ]);

    private static bool IsPageRequest(HttpContext context)
    {
        // Static files and health probes need no fresh user; everything else (pages, forms, sign-out) does.
        var path = context.Request.Path;
        return !(path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content")
                 || path.StartsWithSegments("/health") || path.StartsWithSegments("/alive")
                 || Path.HasExtension(path.Value));
    }

    private static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        if (!IsPageRequest(context.HttpContext))
        {
            return;
        }

        var api = context.HttpContext.RequestServices.GetRequiredService<BlogApiClient>();
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Blog.Web.Authentication");
        var properties = context.Properties;
        var accessToken = properties.GetTokenValue(AuthTokens.AccessToken);
        var refreshToken = properties.GetTokenValue(AuthTokens.RefreshToken);
        if (string.IsNullOrEmpty(accessToken) || string.IsNullOrEmpty(refreshToken))
        {
            await RejectAsync(context);
            return;
        }

        var ct = context.HttpContext.RequestAborted;
        try
        {
            var refreshed = false;
            if (DateTimeOffset.TryParse(properties.GetTokenValue(AuthTokens.ExpiresAt), CultureInfo.InvariantCulture,
                    DateTimeStyles.RoundtripKind, out var expiresAt)
                && expiresAt - DateTimeOffset.UtcNow < RefreshBeforeExpiry)
            {
                (refreshed, accessToken) = await RefreshAsync(context, api, refreshToken, ct);
                if (!refreshed)
                {
                    await RejectAsync(context);
                    return;
                }
            }

            var me = await api.GetMeAsync(accessToken!, ct);
            if (me.Status == HttpStatusCode.Unauthorized && !refreshed)
            {
                // Revoked or expired early (e.g. a key rotation): one refresh, then ask again.
                (refreshed, accessToken) = await RefreshAsync(context, api, properties.GetTokenValue(AuthTokens.RefreshToken)!, ct);
                if (refreshed)
                {
                    me = await api.GetMeAsync(accessToken!, ct);
                }
            }

            if (!me.IsSuccess || me.Value is null || me.Value.Disabled)
            {
                logger.LogInformation("Signing out {User}: the API answered {Status} for the current user.",
                    context.Principal?.Identity?.Name, me.Status?.ToString() ?? "disabled");
                await RejectAsync(context);
                return;
            }

            var current = CurrentUser.From(context.Principal);
            var fresh = me.Value;
            if (current is null || current.Role != fresh.Role || current.Username != fresh.Username
                || current.DisplayName != (string.IsNullOrWhiteSpace(fresh.DisplayName) ? fresh.Username : fresh.DisplayName))
            {
                context.ReplacePrincipal(CurrentUser.CreatePrincipal(fresh, Scheme));
                context.ShouldRenew = true;
            }
        }
        catch (ApiUnavailableException ex)
        {
            // The API is down: keep the user as the cookie says; pages show that the blog is unavailable.
            logger.LogWarning(ex, "Could not validate the signed-in user against the API.");
        }
    }

    private static async Task<(bool Refreshed, string? AccessToken)> RefreshAsync(
        CookieValidatePrincipalContext context, BlogApiClient api, string refreshToken, CancellationToken ct)
    {
        var result = await api.RefreshAsync(refreshToken, ct);
        if (!result.IsSuccess || result.Value is null)
        {
            return (false, null);
        }

        StoreTokens(context.Properties, result.Value);
        context.ShouldRenew = true;
        return (true, result.Value.AccessToken);
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.HttpContext.Items[SessionEndedItem] = true;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(Scheme);
    }
}
