using k8s;
using k8s.Models;

namespace Blog.Tests.Deployment;

/// <summary>The Kubernetes manifests the AppHost's publish step writes, read back with KubernetesClient's model types.</summary>
[Collection(PublishedDeploymentsCollection.Name)]
public class KubernetesManifestTests(PublishedDeployments published)
{
    private List<object> Objects => Load(published.Containers);

    private T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        Assert.Single(Objects.OfType<T>(), o => o.Metadata.Name == name);

    [Fact]
    public void EveryFileTheKustomizationListsHoldsKubernetesObjects()
    {
        var k8s = Path.Combine(published.Containers, "k8s");
        var kustomization = DeploymentFiles.LoadYaml(Path.Combine(k8s, "kustomization.yaml"));
        Assert.Equal(["mongo.yaml", "cache.yaml", "api.yaml", "web.yaml", "default-deny.yaml"], kustomization.At("resources").Strings());
        Assert.Equal("blog-secrets", kustomization.At("secretGenerator").Items().Single().At("name").Text());
        Assert.Equal(["secrets.env"], kustomization.At("secretGenerator").Items().Single().At("envs").Strings());
        Assert.Equal(["parameters.env"], kustomization.At("configMapGenerator").Items().Single().At("envs").Strings());

        var kinds = Objects.Select(o => $"{((IKubernetesObject<V1ObjectMeta>)o).Kind}/{((IKubernetesObject<V1ObjectMeta>)o).Metadata.Name}").ToList();
        Assert.Equal(
            ["ConfigMap/mongo-config", "StatefulSet/mongo", "Service/mongo", "NetworkPolicy/mongo",
             "StatefulSet/cache", "Service/cache", "NetworkPolicy/cache",
             "ConfigMap/api-config", "Deployment/api", "Service/api", "NetworkPolicy/api",
             "ConfigMap/web-config", "Deployment/web", "Service/web", "Ingress/web", "NetworkPolicy/web",
             "NetworkPolicy/blog-default-deny"],
            kinds);
    }

    [Theory]
    [InlineData("api")]
    [InlineData("web")]
    public void TheDotNetServicesRunTwoNonRootReplicasWithProbesAndLimits(string name)
    {
        var deployment = Single<V1Deployment>(name);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(0, deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.ToInt());

        var pod = deployment.Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal(1654, pod.SecurityContext.RunAsUser);
        Assert.Equal(1654, pod.SecurityContext.FsGroup);

        var container = Assert.Single(pod.Containers);
        Assert.Equal($"blog-{name}:latest", container.Image);
        Assert.Equal(8080, Assert.Single(container.Ports).ContainerPort);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp");

        Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
        Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/alive", container.StartupProbe.HttpGet.Path);
        Assert.All(new[] { container.LivenessProbe, container.ReadinessProbe, container.StartupProbe }, p =>
        {
            Assert.Equal("HTTP", p.HttpGet.Scheme);
            Assert.Equal("http", p.HttpGet.Port.Value);
        });

        Assert.Equal(["cpu", "memory"], container.Resources.Requests.Keys.Order());
        Assert.Equal(["cpu", "memory"], container.Resources.Limits.Keys.Order());
    }

    [Theory]
    [InlineData("mongo", "mongo-data", "/data/db", 27017)]
    [InlineData("cache", "cache-data", "/data", 6379)]
    public void TheDatabasesAreStatefulSetsWithPersistentVolumeClaims(string name, string claim, string mountPath, int port)
    {
        var set = Single<V1StatefulSet>(name);
        Assert.Equal(1, set.Spec.Replicas);
        Assert.Equal(name, set.Spec.ServiceName);
        var template = Assert.Single(set.Spec.VolumeClaimTemplates);
        Assert.Equal(claim, template.Metadata.Name);
        Assert.Equal(["ReadWriteOnce"], template.Spec.AccessModes);
        Assert.Equal("1Gi", template.Spec.Resources.Requests["storage"].ToString());

        var pod = set.Spec.Template.Spec;
        Assert.Equal(999, pod.SecurityContext.RunAsUser);
        Assert.Equal(999, pod.SecurityContext.FsGroup);
        var container = Assert.Single(pod.Containers);
        Assert.Contains(container.VolumeMounts, m => m.Name == claim && m.MountPath == mountPath);
        Assert.NotNull(container.StartupProbe.Exec);
        Assert.NotNull(container.ReadinessProbe);
        Assert.NotNull(container.LivenessProbe);

        var service = Single<V1Service>(name);
        Assert.Equal("None", service.Spec.ClusterIP); // headless: the StatefulSet's pod DNS names
        Assert.Equal(port, Assert.Single(service.Spec.Ports).Port);
    }

    [Fact]
    public void RedisRunsWithOneAclUserPerAppAndTheDefaultUserOff()
    {
        var container = Assert.Single(Single<V1StatefulSet>("cache").Spec.Template.Spec.Containers);
        Assert.Equal("docker.io/library/redis:8.6", container.Image);
        Assert.Equal(["/bin/sh"], container.Command);
        Assert.Equal(
            ["-c", "redis-server --user default reset --user admin on \">$REDIS_PASSWORD\" \"~*\" \"&*\" +@all"
                + " --user api on \">$REDIS_API_PASSWORD\" resetchannels \"~blog-api:*\" +@all -@dangerous"
                + " --user web on \">$REDIS_WEB_PASSWORD\" resetchannels \"~blog-web:*\" +@all -@dangerous --save 60 1"],
            container.Args);
        foreach (var (variable, secret) in new[] { ("REDIS_PASSWORD", "CACHE_PASSWORD"), ("REDIS_API_PASSWORD", "CACHE_API_PASSWORD"), ("REDIS_WEB_PASSWORD", "CACHE_WEB_PASSWORD") })
        {
            var password = Assert.Single(container.Env, e => e.Name == variable);
            Assert.Equal(("blog-secrets", secret), (password.ValueFrom.SecretKeyRef.Name, password.ValueFrom.SecretKeyRef.Key));
        }

        var web = Assert.Single(Single<V1Deployment>("web").Spec.Template.Spec.Containers);
        Assert.Equal("cache:6379,user=web,password=$(CACHE_WEB_PASSWORD)", web.Env.Single(e => e.Name == "ConnectionStrings__cache").Value);
        Assert.DoesNotContain(web.Env, e => e.ValueFrom?.SecretKeyRef?.Key is "CACHE_PASSWORD" or "CACHE_API_PASSWORD");
    }

    [Fact]
    public void TheWebTrustsForwardedHeadersOnlyFromTheIngressRangeSetAtDeployTime()
    {
        var web = Assert.Single(Single<V1Deployment>("web").Spec.Template.Spec.Containers);
        var networks = web.Env.Single(e => e.Name == "ForwardedHeaders__KnownNetworks__0");
        Assert.Equal(("blog-parameters", "WEB_TRUSTED_PROXIES"), (networks.ValueFrom.ConfigMapKeyRef.Name, networks.ValueFrom.ConfigMapKeyRef.Key));
        Assert.Equal("", ReadEnvFile(Path.Combine(published.Containers, "k8s", "parameters.env"))["WEB_TRUSTED_PROXIES"]);

        Assert.Equal("PROXY_SECRET", web.Env.Single(e => e.Name == "Blog__Api__ProxySecret").ValueFrom.SecretKeyRef.Key);
        var api = Assert.Single(Single<V1Deployment>("api").Spec.Template.Spec.Containers);
        Assert.Equal("PROXY_SECRET", api.Env.Single(e => e.Name == "ForwardedHeaders__ProxySecret").ValueFrom.SecretKeyRef.Key);
        Assert.Equal("DATAPROTECTION_CERTIFICATE", web.Env.Single(e => e.Name == "Blog__DataProtection__Certificate").ValueFrom.SecretKeyRef.Key);
    }

    [Fact]
    public void EveryPodIsDeniedByDefaultAndSendsOnlyToDnsWhatItUsesAndOtlp()
    {
        var deny = Single<V1NetworkPolicy>("blog-default-deny");
        Assert.Equal(new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = "blog" }, deny.Spec.PodSelector.MatchLabels);
        Assert.Equal(["Ingress", "Egress"], deny.Spec.PolicyTypes);
        Assert.Null(deny.Spec.Ingress);
        Assert.Null(deny.Spec.Egress);

        Assert.Equal(["dns", "cache:6379", "mongo:27017", "otlp:4317,4318"], EgressOf("api"));
        Assert.Equal(["dns", "api:8080", "cache:6379", "otlp:4317,4318"], EgressOf("web"));
        Assert.Equal(["dns"], EgressOf("mongo"));
        Assert.Equal(["dns"], EgressOf("cache"));

        // The web takes traffic from anywhere on its port (the ingress controller's namespace differs per cluster).
        var web = Single<V1NetworkPolicy>("web");
        var rule = Assert.Single(web.Spec.Ingress);
        Assert.Null(rule.FromProperty);
        Assert.Equal(8080, Assert.Single(rule.Ports).Port.ToInt());
    }

    private string[] EgressOf(string service)
    {
        var policy = Single<V1NetworkPolicy>(service);
        Assert.Equal(["Ingress", "Egress"], policy.Spec.PolicyTypes);
        var rules = new List<string>();
        foreach (var rule in policy.Spec.Egress)
        {
            var ports = string.Join(',', rule.Ports.Select(p => p.Port.ToInt()).Distinct());
            var peer = rule.To.First();
            IDictionary<string, string>? labels = peer.PodSelector?.MatchLabels;
            if (labels is not null && labels.TryGetValue("k8s-app", out var app) && app == "kube-dns")
            {
                Assert.Equal("kube-system", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
                Assert.Equal(["UDP", "TCP"], rule.Ports.Select(p => p.Protocol));
                rules.Add("dns");
            }
            else
            {
                rules.Add(labels is not null ? $"{labels["app.kubernetes.io/name"]}:{ports}" : $"otlp:{ports}");
            }
        }

        return [.. rules];
    }

    [Fact]
    public void SecretsComeOnlyFromTheGeneratedSecretAndConnectionStringsReferToThem()
    {
        var api = Assert.Single(Single<V1Deployment>("api").Spec.Template.Spec.Containers);
        var env = api.Env.ToList();
        Assert.Equal("JWT_SIGNING_KEY", env.Single(e => e.Name == "Jwt__SigningKey").ValueFrom.SecretKeyRef.Key);
        Assert.Equal("ADMIN_PASSWORD", env.Single(e => e.Name == "Admin__Password").ValueFrom.SecretKeyRef.Key);
        Assert.Equal("ADMIN_USERNAME", env.Single(e => e.Name == "Admin__Username").ValueFrom.ConfigMapKeyRef.Key);

        // $(VAR) is expanded by Kubernetes from variables defined earlier in the list.
        var cache = env.FindIndex(e => e.Name == "ConnectionStrings__cache");
        Assert.Equal("cache:6379,user=api,password=$(CACHE_API_PASSWORD)", env[cache].Value);
        Assert.InRange(env.FindIndex(e => e.Name == "CACHE_API_PASSWORD" && e.ValueFrom.SecretKeyRef.Key == "CACHE_API_PASSWORD"), 0, cache - 1);
        // MongoDB: the API's own user; its password straight from the Secret (never expanded into a URL), root's not at all.
        Assert.Equal("MONGO_APP_PASSWORD", env.Single(e => e.Name == "Blog__Storage__MongoPassword").ValueFrom.SecretKeyRef.Key);
        Assert.DoesNotContain(env, e => e.ValueFrom?.SecretKeyRef?.Key == "MONGO_PASSWORD" || e.Value?.Contains("MONGO_PASSWORD", StringComparison.Ordinal) == true);

        var config = Single<V1ConfigMap>("api-config");
        Assert.Equal("8080", config.Data["HTTP_PORTS"]);
        Assert.Equal("mongodb://mongo:27017/blogdb?authSource=blogdb&authMechanism=SCRAM-SHA-256", config.Data["ConnectionStrings__blogdb"]);
        Assert.Equal("blog", config.Data["Blog__Storage__MongoUsername"]);
        Assert.Equal("api-config", Assert.Single(api.EnvFrom).ConfigMapRef.Name);

        var k8s = Path.Combine(published.Containers, "k8s");
        var secrets = ReadEnvFile(Path.Combine(k8s, "secrets.env"));
        Assert.Equal(
            ["ADMIN_PASSWORD", "CACHE_API_PASSWORD", "CACHE_PASSWORD", "CACHE_WEB_PASSWORD", "DATAPROTECTION_CERTIFICATE", "JWT_SIGNING_KEY",
             "MONGO_APP_PASSWORD", "MONGO_PASSWORD", "PROXY_SECRET"],
            secrets.Keys.Order());
        Assert.All(secrets.Where(s => s.Key != "DATAPROTECTION_CERTIFICATE").Select(s => s.Value), v => Assert.Matches("^[A-Za-z0-9]{32,}$", v));
        Assert.Contains("secrets.env", File.ReadAllLines(Path.Combine(k8s, ".gitignore")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(k8s, "secrets.env")));
        }
        Assert.DoesNotContain(ReadEnvFile(Path.Combine(k8s, "parameters.env")).Keys, secrets.ContainsKey);
        foreach (var file in Directory.EnumerateFiles(k8s).Where(f => Path.GetFileName(f) != "secrets.env"))
        {
            var text = File.ReadAllText(file);
            Assert.All(secrets.Values, v => Assert.DoesNotContain(v, text, StringComparison.Ordinal));
        }

        // Kubernetes and compose are separate deployments with separate secrets.
        Assert.NotEqual(secrets["MONGO_PASSWORD"], ComposeFileTests.ReadEnv(published.Containers)["MONGO_PASSWORD"]);
    }

    [Fact]
    public void OnlyTheApiReachesTheDatabaseAndOnlyTheApiAndWebReachTheCache()
    {
        Assert.Equal(["api"], AllowedClients("mongo", 27017));
        Assert.Equal(["api", "web"], AllowedClients("cache", 6379));
        Assert.Equal(["web"], AllowedClients("api", 8080));
    }

    [Fact]
    public void TheWebIsReachedThroughAnIngressAndNoServiceIsSticky()
    {
        var ingress = Single<V1Ingress>("web");
        var path = Assert.Single(Assert.Single(ingress.Spec.Rules).Http.Paths);
        Assert.Equal(("/", "Prefix"), (path.Path, path.PathType));
        Assert.Equal(("web", "http"), (path.Backend.Service.Name, path.Backend.Service.Port.Name));
        Assert.Equal("ClusterIP", Single<V1Service>("web").Spec.Type);

        Assert.All(Objects.OfType<V1Service>(), s => Assert.Equal("None", s.Spec.SessionAffinity));
        Assert.Single(Objects.OfType<V1Ingress>());
    }

    [Fact]
    public async Task TheWebCanBeALoadBalancerInstead()
    {
        var output = Publisher.NewOutputDirectory();
        try
        {
            await Publisher.PublishAsync(output, "--Publishing:k8s:Exposure=LoadBalancer", "--Publishing:k8s:Replicas=3");
            var objects = Load(output);

            Assert.Empty(objects.OfType<V1Ingress>());
            var web = Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == "web");
            Assert.Equal("LoadBalancer", web.Spec.Type);
            var port = Assert.Single(web.Spec.Ports);
            Assert.Equal((80, "http"), (port.Port, port.TargetPort.Value));
            Assert.Equal("ClusterIP", Assert.Single(objects.OfType<V1Service>(), s => s.Metadata.Name == "api").Spec.Type);
            Assert.All(objects.OfType<V1Deployment>(), d => Assert.Equal(3, d.Spec.Replicas));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void TheEmbeddedStoreRunsTheApiAsOneStatefulReplicaWithItsOwnClaim()
    {
        var objects = Load(published.Embedded);
        Assert.DoesNotContain(objects.OfType<IKubernetesObject<V1ObjectMeta>>(), o => o.Metadata.Name.StartsWith("mongo", StringComparison.Ordinal));

        var api = Assert.Single(objects.OfType<V1StatefulSet>(), s => s.Metadata.Name == "api");
        Assert.Equal(1, api.Spec.Replicas);
        Assert.Equal("api-data", Assert.Single(api.Spec.VolumeClaimTemplates).Metadata.Name);
        var container = Assert.Single(api.Spec.Template.Spec.Containers);
        Assert.Contains(container.VolumeMounts, m => m.Name == "api-data" && m.MountPath == "/app/data");
        Assert.Equal(1654, api.Spec.Template.Spec.SecurityContext.FsGroup);
        Assert.Equal("/app/data/blog.db", Assert.Single(objects.OfType<V1ConfigMap>(), c => c.Metadata.Name == "api-config").Data["Blog__Storage__EmbeddedPath"]);
        Assert.Equal(2, Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == "web").Spec.Replicas);
    }

    [Fact]
    public async Task KubectlKustomizeRendersTheFolderAndWiresTheGeneratedSecret()
    {
        var k8s = Path.Combine(published.Containers, "k8s");
        var result = await DeploymentFiles.RunAsync("kubectl", ["kustomize", k8s]);
        Assert.SkipWhen(result is null, "kubectl is not installed");
        Assert.True(result!.ExitCode == 0, result.Error);

        var rendered = KubernetesYaml.LoadAllFromString(result.Output);
        var secret = Assert.Single(rendered.OfType<V1Secret>());
        Assert.StartsWith("blog-secrets-", secret.Metadata.Name, StringComparison.Ordinal); // content hash: pods roll when secrets change
        var parameters = Assert.Single(rendered.OfType<V1ConfigMap>(), c => c.Metadata.Name.StartsWith("blog-parameters-", StringComparison.Ordinal));
        Assert.Equal("admin", parameters.Data["ADMIN_USERNAME"]);

        var api = Assert.Single(Assert.Single(rendered.OfType<V1Deployment>(), d => d.Metadata.Name == "api").Spec.Template.Spec.Containers);
        Assert.All(api.Env.Where(e => e.ValueFrom?.SecretKeyRef is not null), e => Assert.Equal(secret.Metadata.Name, e.ValueFrom.SecretKeyRef.Name));
        Assert.All(api.Env.Where(e => e.ValueFrom?.ConfigMapKeyRef is not null), e => Assert.Equal(parameters.Metadata.Name, e.ValueFrom.ConfigMapKeyRef.Name));
    }

    private string[] AllowedClients(string service, int port)
    {
        var policy = Single<V1NetworkPolicy>(service);
        Assert.Equal(["Ingress", "Egress"], policy.Spec.PolicyTypes);
        Assert.Equal(service, policy.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]);
        var rule = Assert.Single(policy.Spec.Ingress);
        Assert.Equal(port, Assert.Single(rule.Ports).Port.ToInt());
        return [.. rule.FromProperty.Select(p => p.PodSelector.MatchLabels["app.kubernetes.io/name"]).Order()];
    }

    private static List<object> Load(string output)
    {
        var k8s = Path.Combine(output, "k8s");
        var files = DeploymentFiles.LoadYaml(Path.Combine(k8s, "kustomization.yaml")).At("resources").Strings();
        return [.. files.SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(k8s, f))))];
    }

    private static Dictionary<string, string> ReadEnvFile(string path) =>
        File.ReadAllLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
}
