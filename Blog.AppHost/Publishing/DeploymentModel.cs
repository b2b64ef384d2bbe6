// Shared by our stand-ins for the official Aspire.Hosting.Docker and Aspire.Hosting.Kubernetes packages (neither
// can be restored on our build machines): reads the AppHost's application model, in publish mode, into one neutral
// description of what to deploy. The compose and Kubernetes writers render that description; neither knows the
// blog's resources by name, so the AppHost stays the only description of the app.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Blog.AppHost.Publishing;

/// <summary>A deployment variable: an Aspire parameter, or a setting the publisher adds (ports, images, OTLP).</summary>
/// <param name="Name">Environment-style name: <c>jwt-signing-key</c> becomes <c>JWT_SIGNING_KEY</c>.</param>
/// <param name="Secret">Secrets go to the git-ignored env files only, generated on first publish.</param>
/// <param name="DefaultValue">For settings: the value written on first publish (may be empty). Null: none known.</param>
/// <param name="Generator">For secrets: how to generate a value on first publish (<see cref="GenerateParameterDefault"/> or an
/// <see cref="IGeneratedSecret"/>). Null: the user must supply it.</param>
internal sealed record DeploymentVariable(string Name, bool Secret, string Description, string? DefaultValue, ParameterDefault? Generator)
{
    /// <summary>True when publishing cannot give it a value: the user has to fill it in.</summary>
    public bool Required => Secret ? Generator is null : DefaultValue is null;
}

/// <summary>A parameter default that generates a secret other than a random password (e.g. a certificate), once per deployment.</summary>
internal interface IGeneratedSecret
{
    string Generate();
}

internal abstract record ValuePart;

internal sealed record LiteralPart(string Text) : ValuePart;

internal sealed record VariablePart(DeploymentVariable Variable) : ValuePart;

/// <summary>The value of an environment variable or argument: literal text and references to variables.</summary>
internal sealed class DeploymentValue(IReadOnlyList<ValuePart> parts)
{
    public IReadOnlyList<ValuePart> Parts { get; } = parts;

    public bool IsLiteral => Parts.All(p => p is LiteralPart);

    /// <summary>The variable when the value is exactly one variable (so it can come straight from a Secret/ConfigMap).</summary>
    public DeploymentVariable? SingleVariable => Parts is [VariablePart single] ? single.Variable : null;

    public IEnumerable<DeploymentVariable> Variables => Parts.OfType<VariablePart>().Select(p => p.Variable);

    public string Render(Func<DeploymentVariable, string> variable, Func<string, string> literal)
    {
        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            text.Append(part switch
            {
                LiteralPart l => literal(l.Text),
                VariablePart v => variable(v.Variable),
                _ => throw new UnreachableException(),
            });
        }

        return text.ToString();
    }

    public static DeploymentValue Literal(string text) => new([new LiteralPart(text)]);
}

internal sealed record DeploymentEndpoint(string Name, string Scheme, int Port, bool IsExternal)
{
    public bool IsHttp => Scheme is "http";
}

internal sealed record DeploymentVolume(string Name, string Target, bool ReadOnly);

internal enum DependencyCondition
{
    Started,
    Healthy,
    CompletedSuccessfully,
}

internal sealed record DeploymentDependency(string Service, DependencyCondition Condition);

/// <summary>How to tell that a service is healthy, in a way that really runs inside its image.</summary>
/// <param name="Command">An exec probe (argv, no shell unless the command is one): compose health checks, Kubernetes exec probes.</param>
/// <param name="ReadinessPath">For HTTP services: the readiness path (Kubernetes httpGet probes).</param>
/// <param name="LivenessPath">For HTTP services: the liveness path.</param>
/// <param name="ReadinessOverTcp">Kubernetes: the command is the startup probe only; readiness is a TCP connect to the first port.</param>
internal sealed record ServiceProbe(
    IReadOnlyList<string> Command, string? ReadinessPath = null, string? LivenessPath = null, int StartPeriodSeconds = 30, bool ReadinessOverTcp = false);

internal sealed class DeploymentService
{
    public required string Name { get; init; }

    public required IResource Resource { get; init; }

    /// <summary>A .NET project built into an image with <c>dotnet publish -t:PublishContainer</c>.</summary>
    public required bool IsProject { get; init; }

    /// <summary>Image reference, with registry and tag for containers; repository only (tag separate) for projects.</summary>
    public required string Image { get; init; }

    /// <summary>The project's assembly name (the image runs <c>/app/{ProjectAssembly}.dll</c>).</summary>
    public string? ProjectAssembly { get; init; }

    public string? Entrypoint { get; init; }

    public required IReadOnlyList<DeploymentValue> Args { get; init; }

    public required IReadOnlyList<KeyValuePair<string, DeploymentValue>> Environment { get; init; }

    public required IReadOnlyList<DeploymentEndpoint> Endpoints { get; init; }

    public required IReadOnlyList<DeploymentVolume> Volumes { get; init; }

    public required IReadOnlyList<DeploymentDependency> DependsOn { get; init; }

    /// <summary>The services this one opens connections to (references and waits): networks and network policies.</summary>
    public required IReadOnlyList<string> Connects { get; init; }

    public ServiceProbe? Probe { get; init; }

    /// <summary>The uid the image runs as, when known (projects: 1654; official database images: 999).</summary>
    public long? RunAsUser { get; init; }

    public bool IsStateful => Volumes.Count > 0;

    public string VariablePrefix => DeploymentModel.ToVariableName(Name);
}

/// <summary>What the AppHost's model says to deploy: services (projects and containers) and the variables they use.</summary>
internal sealed class DeploymentModel
{
    /// <summary>The port the ASP.NET images listen on (<c>ASPNETCORE_HTTP_PORTS</c> of the official and our base image).</summary>
    public const int ProjectHttpPort = 8080;

    /// <summary>uid of <c>app</c> in the official ASP.NET images; Directory.Build.targets sets it as ContainerUser.</summary>
    public const long ProjectUser = 1654;

    public const string ProjectImageTagVariable = "IMAGE_TAG";

    public static readonly DeploymentVariable OtlpEndpoint = new(
        "OTEL_EXPORTER_OTLP_ENDPOINT", Secret: false,
        "OTLP endpoint for logs, traces and metrics of the .NET services; empty = no export. Compose: http://dashboard:18889 with COMPOSE_PROFILES=dashboard.",
        DefaultValue: "", Generator: null);

    private DeploymentModel(string applicationName, IReadOnlyList<DeploymentService> services, IReadOnlyList<DeploymentVariable> variables)
    {
        ApplicationName = applicationName;
        Services = services;
        Variables = variables;
    }

    /// <summary>Lower-case name of the application (Blog.AppHost -> blog): compose project name, Kubernetes part-of label.</summary>
    public string ApplicationName { get; }

    public IReadOnlyList<DeploymentService> Services { get; }

    /// <summary>Every variable the services use, in order of first use.</summary>
    public IReadOnlyList<DeploymentVariable> Variables { get; }

    public DeploymentService this[string name] => Services.Single(s => s.Name == name);

    /// <summary>Whether any .NET service exports OpenTelemetry (then the OTLP endpoint setting is offered).</summary>
    public bool HasOtlpExporters => Variables.Contains(OtlpEndpoint);

    public static string ToVariableName(string name) =>
        Regex.Replace(name.ToUpperInvariant(), "[^A-Z0-9_]", "_");

    public static async Task<DeploymentModel> ReadAsync(
        DistributedApplicationModel model, DistributedApplicationExecutionContext executionContext, string applicationName,
        ILogger logger, CancellationToken cancellationToken)
    {
        var reader = new Reader(model, executionContext, logger, cancellationToken);
        return await reader.ReadAsync(applicationName).ConfigureAwait(false);
    }

    /// <summary>Reads one resource at a time; resolves values structurally (never asks for secret values).</summary>
    private sealed class Reader(
        DistributedApplicationModel model, DistributedApplicationExecutionContext executionContext, ILogger logger, CancellationToken cancellationToken)
    {
        private readonly List<DeploymentVariable> _variables = [];
        private readonly Dictionary<ParameterResource, DeploymentVariable> _parameters = [];
        private List<IResource> _computeResources = [];

        public async Task<DeploymentModel> ReadAsync(string applicationName)
        {
            _computeResources = [.. model.GetComputeResources()];
            foreach (var resource in model.Resources.Where(r => r is ExecutableResource && !_computeResources.Contains(r)))
            {
                throw new InvalidOperationException(
                    $"Resource '{resource.Name}' is an executable; only projects and containers can be deployed. Exclude it from publishing (ExcludeFromManifest) or make it a container.");
            }

            var services = new List<DeploymentService>();
            foreach (var resource in _computeResources)
            {
                services.Add(await ReadServiceAsync(resource).ConfigureAwait(false));
            }

            var known = services.Select(s => s.Name).ToHashSet();
            foreach (var service in services)
            {
                foreach (var dependency in service.DependsOn.Where(d => !known.Contains(d.Service)))
                {
                    throw new InvalidOperationException($"'{service.Name}' waits for '{dependency.Service}', which is not deployed.");
                }
            }

            return new DeploymentModel(applicationName, services, _variables);
        }

        private async Task<DeploymentService> ReadServiceAsync(IResource resource)
        {
            var name = resource.Name;
            var connects = new SortedSet<string>(StringComparer.Ordinal);
            var isProject = resource is ProjectResource;

            string image;
            string? assembly = null;
            if (resource is ProjectResource project)
            {
                var projectPath = project.GetProjectMetadata().ProjectPath;
                assembly = Path.GetFileNameWithoutExtension(projectPath);
                // Directory.Build.targets: ContainerRepository = project name, lower case, '.' -> '-'.
                image = assembly.ToLowerInvariant().Replace('.', '-');
            }
            else if (!resource.TryGetContainerImageName(out image!))
            {
                throw new InvalidOperationException($"Container '{name}' has no image.");
            }

            var endpoints = ReadEndpoints(resource);
            var environment = new List<KeyValuePair<string, DeploymentValue>>();
            foreach (var (key, value) in await EvaluateEnvironmentAsync(resource).ConfigureAwait(false))
            {
                if (Convert(resource, value, connects) is { } converted)
                {
                    environment.Add(new(key, converted));
                }
                else
                {
                    logger.LogDebug("{Resource}: {Variable} refers to an endpoint that is not deployed (https is terminated in front of the services); left out.", name, key);
                }
            }

            if (resource.HasAnnotationOfType<OtlpExporterAnnotation>())
            {
                // Aspire sets these only when it runs the app (pointing at its dashboard); publishing keeps them as a setting.
                AddIfMissing(environment, "OTEL_EXPORTER_OTLP_ENDPOINT", new DeploymentValue([new VariablePart(Use(OtlpEndpoint))]));
                AddIfMissing(environment, "OTEL_SERVICE_NAME", DeploymentValue.Literal(name));
            }

            var args = new List<DeploymentValue>();
            foreach (var arg in await EvaluateArgumentsAsync(resource).ConfigureAwait(false))
            {
                args.Add(Convert(resource, arg, connects)
                    ?? throw new InvalidOperationException($"{name}: an argument refers to an endpoint that is not deployed."));
            }

            var dependsOn = new Dictionary<string, DependencyCondition>();
            if (resource.TryGetAnnotationsOfType<WaitAnnotation>(out var waits))
            {
                foreach (var wait in waits)
                {
                    if (ServiceOf(wait.Resource) is not { } target)
                    {
                        continue; // e.g. an external connection string: nothing to wait for in the deployment
                    }

                    connects.Add(target.Name);
                    var condition = wait.WaitType switch
                    {
                        WaitType.WaitForCompletion => DependencyCondition.CompletedSuccessfully,
                        WaitType.WaitUntilStarted => DependencyCondition.Started,
                        _ => ServiceProbes.For(target) is null ? DependencyCondition.Started : DependencyCondition.Healthy,
                    };
                    dependsOn[target.Name] = dependsOn.TryGetValue(target.Name, out var existing) && existing > condition ? existing : condition;
                }
            }

            connects.Remove(name);
            var probe = ServiceProbes.For(resource);
            if (probe is null)
            {
                logger.LogWarning("{Resource}: no health check is known for its image; services that wait for it only wait for it to start.", name);
            }

            return new DeploymentService
            {
                Name = name,
                Resource = resource,
                IsProject = isProject,
                Image = image,
                ProjectAssembly = assembly,
                Entrypoint = (resource as ContainerResource)?.Entrypoint,
                Args = args,
                Environment = environment,
                Endpoints = endpoints,
                Volumes = ReadVolumes(resource),
                DependsOn = [.. dependsOn.Select(d => new DeploymentDependency(d.Key, d.Value))],
                Connects = [.. connects],
                Probe = probe,
                RunAsUser = isProject ? ProjectUser : ServiceProbes.KnownUser(resource),
            };
        }

        private static void AddIfMissing(List<KeyValuePair<string, DeploymentValue>> environment, string key, DeploymentValue value)
        {
            if (!environment.Any(e => e.Key == key))
            {
                environment.Add(new(key, value));
            }
        }

        private async Task<Dictionary<string, object>> EvaluateEnvironmentAsync(IResource resource)
        {
            var values = new Dictionary<string, object>();
            if (resource.TryGetEnvironmentVariables(out var callbacks))
            {
                var context = new EnvironmentCallbackContext(executionContext, resource, values, cancellationToken) { Logger = logger };
                foreach (var callback in callbacks)
                {
                    await callback.Callback(context).ConfigureAwait(false);
                }
            }

            return values;
        }

        private async Task<List<object>> EvaluateArgumentsAsync(IResource resource)
        {
            var values = new List<object>();
            if (resource.TryGetAnnotationsOfType<CommandLineArgsCallbackAnnotation>(out var callbacks))
            {
                var context = new CommandLineArgsCallbackContext(values, resource, cancellationToken)
                {
                    ExecutionContext = executionContext,
                    Logger = logger,
                };
                foreach (var callback in callbacks)
                {
                    await callback.Callback(context).ConfigureAwait(false);
                }
            }

            return values;
        }

        /// <summary>Endpoints the deployment keeps: a project's https endpoints are dropped (TLS ends at the ingress or proxy).</summary>
        private static List<DeploymentEndpoint> ReadEndpoints(IResource resource)
        {
            var endpoints = new List<DeploymentEndpoint>();
            if (!resource.TryGetEndpoints(out var annotations))
            {
                return endpoints;
            }

            foreach (var endpoint in annotations)
            {
                if (IsDropped(endpoint, resource))
                {
                    continue;
                }

                var port = endpoint.TargetPort
                    ?? (resource is ProjectResource ? ProjectHttpPort
                        : throw new InvalidOperationException($"Endpoint '{endpoint.Name}' of '{resource.Name}' has no target port; give it one (WithEndpoint(targetPort: ...))."));
                endpoints.Add(new DeploymentEndpoint(endpoint.Name, endpoint.UriScheme, port, endpoint.IsExternal));
            }

            return endpoints;
        }

        private static bool IsDropped(EndpointAnnotation endpoint, IResource resource) =>
            resource is ProjectResource && endpoint.UriScheme == "https";

        private static List<DeploymentVolume> ReadVolumes(IResource resource)
        {
            var volumes = new List<DeploymentVolume>();
            if (!resource.TryGetContainerMounts(out var mounts))
            {
                return volumes;
            }

            var index = 0;
            foreach (var mount in mounts)
            {
                if (mount.Type != ContainerMountType.Volume)
                {
                    throw new InvalidOperationException(
                        $"'{resource.Name}' bind-mounts '{mount.Source}' at {mount.Target}. A deployment has no host directory to bind (and Kubernetes cannot do it at all): use a named volume (WithDataVolume) or bake the files into an image.");
                }

                volumes.Add(new DeploymentVolume(VolumeName(resource.Name, mount.Source, index++), mount.Target, mount.IsReadOnly));
            }

            return volumes;
        }

        /// <summary>
        /// Aspire names data volumes <c>{app}-{hash of the AppHost path}-{resource}-{suffix}</c>: unique per checkout, so
        /// the deployment uses <c>{resource}-{suffix}</c> instead (same files on every machine). Given names are kept.
        /// </summary>
        private static string VolumeName(string resource, string? source, int index)
        {
            if (source is null)
            {
                return $"{resource}-volume{index}";
            }

            var generated = Regex.Match(source, $"^.+-[0-9a-f]{{10}}-{Regex.Escape(resource)}-(?<suffix>.+)$");
            var name = generated.Success ? $"{resource}-{generated.Groups["suffix"].Value}" : source;
            return Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9-]", "-");
        }

        /// <summary>The deployed service behind a resource: itself, or the container that hosts it (a database on a server).</summary>
        private IResource? ServiceOf(IResource resource)
        {
            var current = resource;
            while (true)
            {
                if (_computeResources.Contains(current))
                {
                    return current;
                }

                if (current is IResourceWithParent child)
                {
                    current = child.Parent;
                    continue;
                }

                return null;
            }
        }

        private DeploymentVariable Use(DeploymentVariable variable)
        {
            if (!_variables.Contains(variable))
            {
                _variables.Add(variable);
            }

            return variable;
        }

        private DeploymentVariable VariableOf(ParameterResource parameter)
        {
            if (!_parameters.TryGetValue(parameter, out var variable))
            {
                var name = ToVariableName(parameter.Name) + (parameter.IsConnectionString ? "_CONNECTION_STRING" : "");
                var description = parameter.Description is { Length: > 0 } given
                    ? given
                    : parameter.IsConnectionString ? $"Connection string '{parameter.Name}'" : $"Parameter '{parameter.Name}'";
                if (parameter.Secret)
                {
                    // A deployment never inherits the developer machine's values: secrets are generated for it.
                    variable = new DeploymentVariable(name, Secret: true, description, DefaultValue: null,
                        parameter.Default is GenerateParameterDefault or IGeneratedSecret ? parameter.Default : null);
                }
                else
                {
                    var value = parameter.Default is { } fallback and not GenerateParameterDefault and not IGeneratedSecret
                        ? fallback.GetDefaultValue()
                        : null;
                    variable = new DeploymentVariable(name, Secret: false, description, value, Generator: null);
                }

                if (_variables.FirstOrDefault(v => v.Name == variable.Name) is { } clash)
                {
                    throw new InvalidOperationException($"Parameter '{parameter.Name}' and another value both map to the variable {clash.Name}; rename one.");
                }

                _parameters[parameter] = variable;
            }

            return Use(variable);
        }

        /// <summary>
        /// A model value as literal text and variables, resolved the way a deployment sees it: hosts are service names,
        /// ports are the services' own ports. Null when it refers to an endpoint the deployment drops.
        /// </summary>
        private DeploymentValue? Convert(IResource owner, object value, ISet<string> connects)
        {
            var parts = new List<ValuePart>();
            return Append(owner, value, format: null, parts, connects) ? Merge(parts) : null;
        }

        private bool Append(IResource owner, object value, string? format, List<ValuePart> parts, ISet<string> connects)
        {
            switch (value)
            {
                case string text:
                    parts.Add(new LiteralPart(format == "uri" ? Uri.EscapeDataString(text) : text));
                    return true;
                case ParameterResource parameter:
                    // A generated secret has no URL-special characters, so it needs no encoding where :uri asks for it.
                    parts.Add(new VariablePart(VariableOf(parameter)));
                    return true;
                case ConnectionStringReference reference:
                    return Append(owner, reference.Resource.ConnectionStringExpression, format, parts, connects);
                case IResourceWithConnectionString resource:
                    return Append(owner, resource.ConnectionStringExpression, format, parts, connects);
                case ReferenceExpression expression:
                    return AppendExpression(owner, expression, parts, connects);
                case EndpointReference endpoint:
                    return AppendEndpoint(endpoint, EndpointProperty.Url, parts, connects);
                case EndpointReferenceExpression property:
                    return AppendEndpoint(property.Endpoint, property.Property, parts, connects);
                case IFormattable formattable:
                    parts.Add(new LiteralPart(formattable.ToString(null, CultureInfo.InvariantCulture)));
                    return true;
                default:
                    throw new InvalidOperationException(
                        $"'{owner.Name}' has a value of type {value.GetType().Name} that a deployment file cannot express. Use a parameter, a literal, or a reference to a resource.");
            }
        }

        private bool AppendExpression(IResource owner, ReferenceExpression expression, List<ValuePart> parts, ISet<string> connects)
        {
            if (expression.IsConditional)
            {
                // Aspire's TLS-dependent expressions: deployed services talk plain inside the cluster / compose network.
                if (expression.Condition is EndpointReferenceExpression { Property: EndpointProperty.TlsEnabled })
                {
                    var branch = string.Equals(expression.MatchValue, bool.FalseString, StringComparison.OrdinalIgnoreCase)
                        ? expression.WhenTrue : expression.WhenFalse;
                    return branch is null || AppendExpression(owner, branch, parts, connects);
                }

                throw new InvalidOperationException($"'{owner.Name}' has a conditional value ({expression.ValueExpression}) that publishing cannot decide.");
            }

            var format = expression.Format;
            var position = 0;
            var literal = new StringBuilder();
            while (position < format.Length)
            {
                var c = format[position];
                if (c == '{' && position + 1 < format.Length && format[position + 1] == '{')
                {
                    literal.Append('{');
                    position += 2;
                }
                else if (c == '}' && position + 1 < format.Length && format[position + 1] == '}')
                {
                    literal.Append('}');
                    position += 2;
                }
                else if (c == '{')
                {
                    var end = format.IndexOf('}', position);
                    var index = int.Parse(format.AsSpan(position + 1, end - position - 1), CultureInfo.InvariantCulture);
                    if (literal.Length > 0)
                    {
                        parts.Add(new LiteralPart(literal.ToString()));
                        literal.Clear();
                    }

                    var stringFormat = expression.StringFormats is { } formats && index < formats.Count ? formats[index] : null;
                    if (!Append(owner, expression.ValueProviders[index], stringFormat, parts, connects))
                    {
                        return false;
                    }

                    position = end + 1;
                }
                else
                {
                    literal.Append(c);
                    position++;
                }
            }

            if (literal.Length > 0)
            {
                parts.Add(new LiteralPart(literal.ToString()));
            }

            return true;
        }

        private bool AppendEndpoint(EndpointReference reference, EndpointProperty property, List<ValuePart> parts, ISet<string> connects)
        {
            var annotation = reference.EndpointAnnotation;
            if (IsDropped(annotation, reference.Resource))
            {
                return false;
            }

            var service = ServiceOf(reference.Resource)?.Name
                ?? throw new InvalidOperationException($"Endpoint '{reference.EndpointName}' belongs to '{reference.Resource.Name}', which is not deployed.");
            connects.Add(service);
            var port = (annotation.TargetPort ?? ProjectHttpPort).ToString(CultureInfo.InvariantCulture);
            parts.Add(new LiteralPart(property switch
            {
                EndpointProperty.Url => $"{annotation.UriScheme}://{service}:{port}",
                EndpointProperty.Host or EndpointProperty.IPV4Host => service,
                EndpointProperty.Port or EndpointProperty.TargetPort => port,
                EndpointProperty.HostAndPort => $"{service}:{port}",
                EndpointProperty.Scheme => annotation.UriScheme,
                EndpointProperty.TlsEnabled => bool.FalseString,
                _ => throw new InvalidOperationException($"Endpoint property {property} of '{reference.Resource.Name}' is not supported when publishing."),
            }));
            return true;
        }

        private static DeploymentValue Merge(List<ValuePart> parts)
        {
            var merged = new List<ValuePart>();
            foreach (var part in parts)
            {
                if (part is LiteralPart next && merged is [.., LiteralPart previous])
                {
                    merged[^1] = new LiteralPart(previous.Text + next.Text);
                }
                else
                {
                    merged.Add(part);
                }
            }

            return new DeploymentValue(merged);
        }
    }
}
