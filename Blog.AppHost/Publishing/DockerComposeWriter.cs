// Stand-in for the official Aspire.Hosting.Docker package (see DockerComposeEnvironmentResource.cs).

using System.Globalization;
using Aspire.Hosting.Docker;

namespace Blog.AppHost.Publishing;

internal sealed record PublishResult(IReadOnlyList<string> AddedKeys, IReadOnlyList<string> RequiredKeys);

/// <summary>Renders a <see cref="DeploymentModel"/> as a Docker Compose project.</summary>
internal static class DockerComposeWriter
{
    public const string ComposeFileName = "docker-compose.yaml";
    public const string InternalPortsFileName = "docker-compose.internal-ports.yaml";
    public const string EnvFileName = ".env";
    public const string FrontendNetwork = "frontend";
    public const string BackendNetworkPrefix = "backend-";
    public const string DashboardService = "dashboard";
    public const string TelemetryNetwork = "telemetry";

    /// <summary>The header the dashboard's OTLP API-key mode checks (Aspire dashboard: Dashboard:Otlp:AuthMode=ApiKey).</summary>
    public const string OtlpApiKeyHeader = "x-otlp-api-key";
    public const string DashboardProfile = "dashboard";
    public const string DashboardImage = "mcr.microsoft.com/dotnet/aspire-dashboard:13.6";
    public const int DashboardUiPort = 18888;
    public const int DashboardOtlpPort = 18889;

    private const string Interval = "10s";
    private const string Timeout = "5s";
    private const int Retries = 5;

    public static PublishResult Write(DeploymentModel model, DockerComposeEnvironmentResource environment, string output)
    {
        Directory.CreateDirectory(output);
        var dashboard = environment.DashboardEnabled && model.HasOtlpExporters;

        // Host ports: external endpoints first (in the main file), then the projects' internal HTTP endpoints (optional file).
        var usedPorts = new HashSet<int>();
        var published = Allocate(model.Services.Select(s => (s, s.Endpoints.Where(e => e.IsExternal).ToList())), usedPorts);
        var optional = Allocate(model.Services.Where(s => s.IsProject).Select(s => (s, s.Endpoints.Where(e => !e.IsExternal && e.IsHttp).ToList())), usedPorts);

        var settings = new List<DeploymentVariable>();
        foreach (var service in model.Services)
        {
            settings.Add(ImageVariable(service));
        }

        if (model.Services.Any(s => s.IsProject))
        {
            settings.Add(new DeploymentVariable(DeploymentModel.ProjectImageTagVariable, Secret: false,
                "Tag of the .NET services' images (dotnet publish -t:PublishContainer tags them latest by default).", "latest", null));
        }

        settings.AddRange(published.Select(p => p.Variable));
        settings.AddRange(optional.Select(p => p.Variable));
        DeploymentVariable? dashboardImage = null, dashboardPort = null, browserToken = null, otlpKey = null;
        if (dashboard)
        {
            // Never anonymous: the UI asks for a browser token, and OTLP accepts only senders with the API key.
            var generated = new GenerateParameterDefault { MinLength = 32, Special = false };
            browserToken = new("DASHBOARD_BROWSER_TOKEN", true, "Token the dashboard's UI asks for (open http://127.0.0.1:DASHBOARD_PORT/login?t=TOKEN).", null, generated);
            otlpKey = new("DASHBOARD_OTLP_API_KEY", true, $"API key the dashboard requires from OTLP senders ({OtlpApiKeyHeader}); the .NET services send it.", null, generated);
            settings.Add(browserToken);
            settings.Add(otlpKey);
            dashboardImage = new("DASHBOARD_IMAGE", false, "Image of the optional Aspire dashboard (COMPOSE_PROFILES=dashboard).", DashboardImage, null);
            dashboardPort = new("DASHBOARD_PORT", false, "Host port (127.0.0.1 only) of the dashboard's UI.", DashboardUiPort.ToString(CultureInfo.InvariantCulture), null);
            settings.Add(dashboardImage);
            settings.Add(dashboardPort);
        }

        var networks = Networks(model, dashboard);
        var services = new YamlMap();
        foreach (var service in model.Services)
        {
            services[service.Name] = Service(service, networks, published);
            if (otlpKey is not null && service.Environment.Any(e => e.Key == "OTEL_EXPORTER_OTLP_ENDPOINT"))
            {
                var serviceEnvironment = (YamlMap)((YamlMap)services[service.Name]!)["environment"]!;
                serviceEnvironment["OTEL_EXPORTER_OTLP_HEADERS"] = $"{OtlpApiKeyHeader}={Reference(otlpKey)}";
            }
        }

        if (dashboard)
        {
            services[DashboardService] = new YamlMap
            {
                ["image"] = Reference(dashboardImage!),
                ["profiles"] = new[] { DashboardProfile },
                ["environment"] = new YamlMap
                {
                    ["DASHBOARD__FRONTEND__AUTHMODE"] = "BrowserToken",
                    ["DASHBOARD__FRONTEND__BROWSERTOKEN"] = Reference(browserToken!),
                    ["DASHBOARD__OTLP__AUTHMODE"] = "ApiKey",
                    ["DASHBOARD__OTLP__PRIMARYAPIKEY"] = Reference(otlpKey!),
                },
                ["ports"] = new[] { $"127.0.0.1:{Reference(dashboardPort!)}:{DashboardUiPort}" },
                ["expose"] = new[] { DashboardOtlpPort.ToString(CultureInfo.InvariantCulture) },
                ["networks"] = new[] { TelemetryNetwork },
                ["restart"] = "unless-stopped",
            };
        }

        var networkMap = new YamlMap();
        foreach (var (name, network) in networks)
        {
            networkMap[name] = network.Internal ? new YamlMap { ["internal"] = true } : new YamlMap();
        }

        var volumes = new YamlMap();
        foreach (var volume in model.Services.SelectMany(s => s.Volumes).Select(v => v.Name).Distinct())
        {
            volumes[volume] = new YamlMap();
        }

        var compose = new YamlMap
        {
            ["name"] = model.ApplicationName,
            ["services"] = services,
            ["networks"] = networkMap,
            ["volumes"] = volumes.Count > 0 ? volumes : null,
        };
        WriteText(Path.Combine(output, ComposeFileName), YamlText.Write(compose, ComposeHeader(model, dashboard)));

        var internalPorts = Path.Combine(output, InternalPortsFileName);
        if (optional.Count > 0)
        {
            var overrides = new YamlMap();
            foreach (var group in optional.GroupBy(p => p.Service.Name))
            {
                overrides[group.Key] = new YamlMap { ["ports"] = group.Select(p => $"{Reference(p.Variable)}:{p.Endpoint.Port}").ToList() };
            }

            WriteText(internalPorts, YamlText.Write(new YamlMap { ["services"] = overrides }, InternalPortsHeader));
        }
        else if (File.Exists(internalPorts))
        {
            File.Delete(internalPorts);
        }

        WriteText(Path.Combine(output, ".gitignore"), "# Secrets: generated by publishing, never committed.\n" + EnvFileName + "\n");

        var variables = model.Variables.Where(v => v.Secret)
            .Concat(model.Variables.Where(v => !v.Secret))
            .Concat(settings)
            .ToList();
        var envPath = Path.Combine(output, EnvFileName);
        var added = EnvFile.WriteMissing(envPath, EnvHeader(model), variables.Select(ToEntry), secret: true);
        var values = EnvFile.Read(envPath);
        var required = variables.Where(v => !values.TryGetValue(v.Name, out var value) || (value.Length == 0 && (v.Secret || v.Required)))
            .Select(v => v.Name).ToList();
        return new PublishResult(added, required);
    }

    private static EnvEntry ToEntry(DeploymentVariable variable) => new(
        variable.Name,
        variable switch
        {
            { Secret: true, Generator: not null } => $"{variable.Description} (secret, generated)",
            { Secret: true } => $"{variable.Description} (secret, REQUIRED: set a value)",
            { DefaultValue: null } => $"{variable.Description} (REQUIRED: set a value)",
            _ => variable.Description,
        },
        () => variable.Secret
            ? variable.Generator is { } rules ? SecretValues.Generate(rules) : ""
            : variable.DefaultValue ?? "");

    private static YamlMap Service(DeploymentService service, IReadOnlyList<(string Name, Network Network)> networks,
        IReadOnlyList<PortAllocation> published)
    {
        var environment = new YamlMap();
        foreach (var (key, value) in service.Environment)
        {
            environment[key] = Render(value);
        }

        var dependsOn = new YamlMap();
        foreach (var dependency in service.DependsOn)
        {
            dependsOn[dependency.Service] = new YamlMap
            {
                ["condition"] = dependency.Condition switch
                {
                    DependencyCondition.Healthy => "service_healthy",
                    DependencyCondition.CompletedSuccessfully => "service_completed_successfully",
                    _ => "service_started",
                },
            };
        }

        var nonRoot = service.RunAsUser is not null;
        return new YamlMap
        {
            ["image"] = service.IsProject
                ? $"{Reference(ImageVariable(service))}:${{{DeploymentModel.ProjectImageTagVariable}:-latest}}"
                : Reference(ImageVariable(service)),
            // Projects' images already run as 1654; the database images are told to run as their own non-root user.
            ["user"] = nonRoot && !service.IsProject ? $"{service.RunAsUser}:{service.RunAsUser}" : null,
            ["entrypoint"] = service.Entrypoint is { } entrypoint ? new[] { Escape(entrypoint) } : null,
            ["command"] = service.Args.Count > 0 ? service.Args.Select(Render).ToList() : null,
            ["environment"] = environment.Count > 0 ? environment : null,
            ["ports"] = published.Where(p => p.Service == service).Select(p => $"{Reference(p.Variable)}:{p.Endpoint.Port}").ToList(),
            ["expose"] = service.Endpoints.Select(e => e.Port.ToString(CultureInfo.InvariantCulture)).Distinct().ToList(),
            ["volumes"] = service.Volumes.Select(v => $"{v.Name}:{v.Target}{(v.ReadOnly ? ":ro" : "")}").ToList(),
            ["depends_on"] = dependsOn.Count > 0 ? dependsOn : null,
            ["networks"] = networks.Where(n => n.Network.Members.Contains(service.Name)).Select(n => n.Name).ToList(),
            ["healthcheck"] = service.Probe is { } probe
                ? new YamlMap
                {
                    ["test"] = new[] { "CMD" }.Concat(probe.Command.Select(Escape)).ToList(),
                    ["interval"] = Interval,
                    ["timeout"] = Timeout,
                    ["retries"] = Retries,
                    ["start_period"] = $"{probe.StartPeriodSeconds}s",
                }
                : null,
            ["cap_drop"] = nonRoot ? new[] { "ALL" } : null,
            ["security_opt"] = nonRoot ? new[] { "no-new-privileges:true" } : null,
            ["restart"] = "unless-stopped",
        };
    }

    private sealed record Network(bool Internal, IReadOnlySet<string> Members);

    /// <summary>
    /// <c>frontend</c>: the .NET services and anything with a published port. <c>backend-{service}</c> (internal: no
    /// host access, no internet) for each backing container: the container and the services that connect to it.
    /// <c>telemetry</c>: the dashboard and the services that send it OTLP, and nothing else (not on <c>frontend</c>).
    /// </summary>
    private static List<(string Name, Network Network)> Networks(DeploymentModel model, bool dashboard)
    {
        var networks = new List<(string, Network)>();
        var frontend = model.Services.Where(s => s.IsProject || s.Endpoints.Any(e => e.IsExternal)).Select(s => s.Name).ToHashSet();
        if (frontend.Count > 0)
        {
            networks.Add((FrontendNetwork, new Network(false, frontend)));
        }


        foreach (var backing in model.Services.Where(s => !s.IsProject))
        {
            var members = model.Services.Where(s => s.Connects.Contains(backing.Name)).Select(s => s.Name).Append(backing.Name).ToHashSet();
            networks.Add((BackendNetworkPrefix + backing.Name, new Network(true, members)));
        }

        if (dashboard)
        {
            // Not internal: the UI's port is published on the host's 127.0.0.1, which an internal network cannot do.
            var exporters = model.Services.Where(s => s.Environment.Any(e => e.Key == "OTEL_EXPORTER_OTLP_ENDPOINT")).Select(s => s.Name);
            networks.Add((TelemetryNetwork, new Network(false, exporters.Append(DashboardService).ToHashSet())));
        }

        return networks;
    }

    private sealed record PortAllocation(DeploymentService Service, DeploymentEndpoint Endpoint, DeploymentVariable Variable);

    private static List<PortAllocation> Allocate(IEnumerable<(DeploymentService Service, List<DeploymentEndpoint> Endpoints)> groups, HashSet<int> used)
    {
        var allocations = new List<PortAllocation>();
        foreach (var (service, endpoints) in groups)
        {
            foreach (var endpoint in endpoints)
            {
                var port = endpoint.Port;
                while (!used.Add(port))
                {
                    port++;
                }

                var name = endpoints.Count == 1
                    ? $"{service.VariablePrefix}_PORT"
                    : $"{service.VariablePrefix}_{DeploymentModel.ToVariableName(endpoint.Name)}_PORT";
                var description = endpoint.IsExternal
                    ? $"Host port of {service.Name}'s {endpoint.Name} endpoint."
                    : $"Host port of {service.Name}'s {endpoint.Name} endpoint when {InternalPortsFileName} is used (COMPOSE_FILE={ComposeFileName}:{InternalPortsFileName}).";
                allocations.Add(new PortAllocation(service, endpoint,
                    new DeploymentVariable(name, false, description, port.ToString(CultureInfo.InvariantCulture), null)));
            }
        }

        return allocations;
    }

    private static DeploymentVariable ImageVariable(DeploymentService service) => service.IsProject
        ? new($"{service.VariablePrefix}_IMAGE", false,
            $"Image of {service.Name} without tag (dotnet publish -t:PublishContainer; e.g. registry.example.com/{service.Image}).", service.Image, null)
        : new($"{service.VariablePrefix}_IMAGE", false, $"Image of {service.Name}.", service.Image, null);

    /// <summary>A variable as compose interpolates it: required ones fail <c>docker compose</c> with a clear message when unset.</summary>
    private static string Reference(DeploymentVariable variable) =>
        variable.Secret || variable.DefaultValue is null
            ? $"${{{variable.Name}:?set {variable.Name} in .env}}"
            : variable.DefaultValue.Length == 0 || !variable.DefaultValue.All(c => char.IsAsciiLetterOrDigit(c) || "_.@:/+-".Contains(c))
                ? $"${{{variable.Name}:-}}"
                : $"${{{variable.Name}:-{variable.DefaultValue}}}";

    private static string Render(DeploymentValue value) => value.Render(Reference, Escape);

    /// <summary>Literal text: compose interpolates <c>$</c>, so a literal dollar is written <c>$$</c>.</summary>
    private static string Escape(string literal) => literal.Replace("$", "$$", StringComparison.Ordinal);

    private static void WriteText(string path, string text) => File.WriteAllText(path, text.ReplaceLineEndings("\n"));

    private static string ComposeHeader(DeploymentModel model, bool dashboard) => $"""
        Docker Compose deployment of {model.ApplicationName}, generated from the AppHost's application model by its publish
        step (aspire publish -o deploy). Regenerated on every publish: change the AppHost, not this file.
        Secrets and settings come from .env beside this file (written once, never overwritten; git-ignored).
          Start:  docker compose up -d --wait        Stop: docker compose down (add -v to delete the data volumes)
          {(dashboard ? $"Telemetry: COMPOSE_PROFILES={DashboardProfile} and OTEL_EXPORTER_OTLP_ENDPOINT=http://{DashboardService}:{DashboardOtlpPort} in .env; UI token: DASHBOARD_BROWSER_TOKEN" : "Telemetry: set OTEL_EXPORTER_OTLP_ENDPOINT in .env")}
          Publish internal services' ports too: COMPOSE_FILE={ComposeFileName}:{InternalPortsFileName}
        Networks: {FrontendNetwork} (the .NET services), {BackendNetworkPrefix}<service> (internal: only the services that use it){(dashboard ? $", {TelemetryNetwork} (the dashboard and its OTLP senders)" : "")}.
        See docs/deployment.md.
        """;

    private const string InternalPortsHeader = """
        Optional: also publish the ports of services that are internal by default (the API), e.g. for tools or a
        separate client. Use it with COMPOSE_FILE=docker-compose.yaml:docker-compose.internal-ports.yaml in .env,
        or: docker compose -f docker-compose.yaml -f docker-compose.internal-ports.yaml up -d
        Generated with docker-compose.yaml; host ports are the *_PORT variables in .env.
        """;

    private static string EnvHeader(DeploymentModel model) => $"""
        # Settings and secrets of the Docker Compose deployment of {model.ApplicationName}; docker-compose.yaml reads them.
        # Written by the first `aspire publish`; later publishes only append keys that are missing and never change a value.
        # Holds secrets: git-ignored (.gitignore beside it), readable by its owner only. Secrets were generated at random;
        # change them before the first `docker compose up`. A database password (MONGO_PASSWORD) is stored in the data volume
        # on first start: changing it here later does not change the database's own password. MONGO_APP_PASSWORD (the API's
        # MongoDB user) is set again at every start of mongo, so a change takes effect at the next `docker compose up -d`.
        # A value with anything but letters and digits: write it in double quotes with a backslash before each \, " and $
        # (KEY="p@ss:w/rd\$1"); without quotes compose expands $ and cuts at " #".
        # Optional: COMPOSE_PROFILES=dashboard (Aspire dashboard), COMPOSE_FILE=docker-compose.yaml:docker-compose.internal-ports.yaml

        """;
}
