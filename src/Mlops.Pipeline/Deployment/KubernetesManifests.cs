using System.Globalization;
using System.Text.RegularExpressions;
using Mlops.Declarations.Digests;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Deployment;

/// <summary>One rendered object: its file name in the output folder and its YAML.</summary>
/// <param name="FileName">For example <c>deployment.yaml</c>.</param>
/// <param name="Kind">The object's kind.</param>
/// <param name="Text">The file's text (LF, UTF-8 without BOM when written).</param>
public sealed record KubernetesManifest(string FileName, string Kind, string Text);

/// <summary>
/// Renders the Kubernetes objects that run <c>Mlops.Server</c> for one environment: each replica follows the
/// git branch and fetches bundles from the store on its own, so the objects carry configuration only
/// (docs/kubernetes.md). The same settings give the same bytes.
/// </summary>
public static partial class KubernetesManifests
{
    /// <summary>The first line of every rendered file; stale files carrying it are removed when the folder is rendered again.</summary>
    public const string Marker = "# Rendered by `mlops render k8s`";

    /// <summary>Where the replicas keep verified bundles and the git cache clone (an emptyDir: the root filesystem is read-only).</summary>
    public const string CacheFolder = "/var/cache/mlops";

    /// <summary>The .NET images' non-root <c>app</c> user and group (<c>$APP_UID</c>).</summary>
    public const int AppUid = 1654;

    /// <summary>What is wrong with the settings, each problem a sentence that names the option to change; empty when they can be rendered.</summary>
    public static IReadOnlyList<string> Problems(KubernetesSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>();
        if (!DnsLabel().IsMatch(settings.Name))
        {
            problems.Add($"the name '{settings.Name}' is not a Kubernetes object name (lowercase letters, digits and '-', starting with a letter, at most 63 characters): pass one with --name.");
        }

        if (settings.Namespace is { } ns && !DnsLabel().IsMatch(ns))
        {
            problems.Add($"--namespace '{ns}' is not a namespace name (lowercase letters, digits and '-', at most 63 characters).");
        }

        if (settings.SecretName is { } secret && !DnsSubdomain().IsMatch(secret))
        {
            problems.Add($"--secret '{secret}' is not a Secret name (lowercase letters, digits, '-' and '.').");
        }

        if (settings.MinReplicas < 1 || settings.MaxReplicas < settings.MinReplicas)
        {
            problems.Add($"--min-replicas {settings.MinReplicas} and --max-replicas {settings.MaxReplicas} do not make a range: give at least 1, and a maximum no smaller than the minimum.");
        }

        if (settings.TargetCpuPercent is < 1 or > 100)
        {
            problems.Add($"--target-cpu {settings.TargetCpuPercent} is not a percentage of the CPU request: give 1 to 100.");
        }

        if (!Quantity().IsMatch(settings.Cpu))
        {
            problems.Add($"--cpu '{settings.Cpu}' is not a CPU quantity: write it as 250m or 1.");
        }

        if (!Quantity().IsMatch(settings.Memory))
        {
            problems.Add($"--memory '{settings.Memory}' is not a memory quantity: write it as 512Mi or 1Gi.");
        }

        if (string.IsNullOrWhiteSpace(settings.Image) || settings.Image.Any(char.IsWhiteSpace))
        {
            problems.Add($"--image '{settings.Image}' is not an image reference: write it as REGISTRY/NAME:TAG.");
        }

        if (!settings.GitRemote.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !settings.GitRemote.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"the git remote '{settings.GitRemote}' is not an https URL, and the server reaches remotes over https only (docs/git.md): pass its https URL with --git-remote.");
        }

        if (!StoreLocation.TryParse(settings.Store, "/", out var store, out var storeProblems))
        {
            problems.Add($"the store '{settings.Store}' is not valid: {string.Join(" ", storeProblems)}");
        }
        else if (store is not S3StoreLocation)
        {
            problems.Add($"the store '{settings.Store}' is a folder, which replicas on other machines cannot share: pass an S3 store every replica reaches with --store s3://BUCKET/PREFIX (?endpoint=URL for another S3-compatible service; docs/store.md).");
        }

        if (settings.PollInterval < TimeSpan.FromSeconds(1))
        {
            problems.Add($"--poll-seconds {settings.PollInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)} is too short for a fetch from a remote: give at least 1.");
        }

        return problems;
    }

    /// <summary>The objects, in the order they are listed: the ConfigMap first, then the workload.</summary>
    /// <exception cref="ArgumentException">The settings have <see cref="Problems"/>.</exception>
    public static IReadOnlyList<KubernetesManifest> Render(KubernetesSettings settings)
    {
        if (Problems(settings) is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(settings));
        }

        var header = $"{Marker} for environment '{settings.Environment}'. Change the options and render again rather than editing this file.\n";
        var config = Manifest("configmap.yaml", ConfigMap(settings), header);
        // The pod template carries the configuration's digest, so a changed ConfigMap rolls the replicas.
        var configDigest = Sha256Digest.OfText(config.Text);
        var manifests = new List<KubernetesManifest> { config };
        if (settings.KServe)
        {
            manifests.Add(Manifest("kserve-servingruntime.yaml", ServingRuntime(settings, configDigest), header));
            manifests.Add(Manifest("kserve-inferenceservice.yaml", InferenceService(settings), header));
        }
        else
        {
            manifests.Add(Manifest("deployment.yaml", Deployment(settings, configDigest), header));
            manifests.Add(Manifest("service.yaml", Service(settings), header));
            manifests.Add(Manifest("hpa.yaml", Autoscaler(settings), header));
            manifests.Add(Manifest("pdb.yaml", DisruptionBudget(settings), header));
        }

        return manifests;
    }

    private static KubernetesManifest Manifest(string file, YamlMap document, string header) =>
        new(file, ((YamlScalar)document["kind"]!).Value.ToString()!, YamlWriter.Write(document, header));

    private static YamlMap Object(string apiVersion, string kind, KubernetesSettings settings, YamlMap? annotations = null)
    {
        var metadata = new YamlMap { { "name", settings.Name } };
        if (settings.Namespace is { } ns)
        {
            metadata.Add("namespace", ns);
        }

        metadata.Add("labels", Labels(settings));
        metadata.Add("annotations", annotations);
        return new YamlMap { { "apiVersion", apiVersion }, { "kind", kind }, { "metadata", metadata } };
    }

    private static YamlMap Selector(KubernetesSettings settings) => new()
    {
        { "app.kubernetes.io/name", "mlops-server" },
        { "app.kubernetes.io/instance", settings.Name },
    };

    private static YamlMap Labels(KubernetesSettings settings)
    {
        var labels = Selector(settings);
        labels.Add("app.kubernetes.io/component", "model-server");
        labels.Add("app.kubernetes.io/part-of", "mlops");
        labels.Add("app.kubernetes.io/managed-by", "mlops");
        labels.Add("mlops/environment", settings.Environment);
        return labels;
    }

    private static YamlMap ConfigMap(KubernetesSettings settings)
    {
        var document = Object("v1", "ConfigMap", settings);
        document.Add("data", new YamlMap
        {
            { "ASPNETCORE_HTTP_PORTS", ServerContainer.Port.ToString(CultureInfo.InvariantCulture) },
            { "Mlops__Environment", settings.Environment },
            { "Mlops__GitUrl", settings.GitRemote },
            { "Mlops__Branch", settings.Branch },
            { "Mlops__Store", settings.Store },
            { "Mlops__CacheFolder", CacheFolder },
            { "Mlops__PollInterval", settings.PollInterval.ToString("c", CultureInfo.InvariantCulture) },
        });
        return document;
    }

    private static YamlMap Container(KubernetesSettings settings, string name)
    {
        var env = new YamlList();
        foreach (var key in KubernetesSecretKeys.All)
        {
            env.Add(new YamlMap
            {
                { "name", key.Variable },
                { "valueFrom", new YamlMap { { "secretKeyRef", new YamlMap { { "name", settings.EffectiveSecretName }, { "key", key.Key }, { "optional", true } } } } },
            });
        }

        return new YamlMap
        {
            { "name", name },
            { "image", settings.Image },
            { "ports", new YamlList { new YamlMap { { "name", "http" }, { "containerPort", ServerContainer.Port }, { "protocol", "TCP" } } } },
            { "envFrom", new YamlList { new YamlMap { { "configMapRef", new YamlMap { { "name", settings.Name } } } } } },
            { "env", env },
            // Ready only when a commit is applied and every pinned model answers: a replica joins the Service after its first reconcile.
            { "readinessProbe", Probe(ServerContainer.ReadyPath, period: 5, failures: 3) },
            { "livenessProbe", Probe(ServerContainer.LivePath, period: 10, failures: 3) },
            {
                "resources", new YamlMap
                {
                    { "requests", new YamlMap { { "cpu", settings.Cpu }, { "memory", settings.Memory } } },
                    { "limits", new YamlMap { { "memory", settings.Memory } } },
                }
            },
            {
                "securityContext", new YamlMap
                {
                    { "runAsNonRoot", true },
                    { "runAsUser", AppUid },
                    { "runAsGroup", AppUid },
                    { "allowPrivilegeEscalation", false },
                    { "readOnlyRootFilesystem", true },
                    { "capabilities", new YamlMap { { "drop", new YamlList { "ALL" } } } },
                }
            },
            {
                "volumeMounts", new YamlList
                {
                    new YamlMap { { "name", "cache" }, { "mountPath", CacheFolder } },
                    new YamlMap { { "name", "tmp" }, { "mountPath", "/tmp" } },
                }
            },
        };
    }

    private static YamlMap Probe(string path, int period, int failures) => new()
    {
        { "httpGet", new YamlMap { { "path", path }, { "port", ServerContainer.Port } } },
        { "periodSeconds", period },
        { "timeoutSeconds", 2 },
        { "failureThreshold", failures },
    };

    private static YamlList Volumes() =>
    [
        new YamlMap { { "name", "cache" }, { "emptyDir", new YamlMap { { "sizeLimit", "1Gi" } } } },
        new YamlMap { { "name", "tmp" }, { "emptyDir", new YamlMap { { "sizeLimit", "64Mi" } } } },
    ];

    private static YamlMap PodAnnotations(string configDigest) => new()
    {
        { "mlops/config-digest", configDigest },
        { "prometheus.io/scrape", "true" },
        { "prometheus.io/port", ServerContainer.Port.ToString(CultureInfo.InvariantCulture) },
        { "prometheus.io/path", "/metrics" },
    };

    private static YamlMap Deployment(KubernetesSettings settings, string configDigest)
    {
        var document = Object("apps/v1", "Deployment", settings);
        var podMetadata = new YamlMap { { "labels", Labels(settings) }, { "annotations", PodAnnotations(configDigest) } };
        var pod = new YamlMap
        {
            { "automountServiceAccountToken", false },
            { "enableServiceLinks", false },
            { "terminationGracePeriodSeconds", 30 },
            {
                "securityContext", new YamlMap
                {
                    { "runAsNonRoot", true },
                    { "runAsUser", AppUid },
                    { "runAsGroup", AppUid },
                    { "fsGroup", AppUid },
                    { "seccompProfile", new YamlMap { { "type", "RuntimeDefault" } } },
                }
            },
            { "containers", new YamlList { Container(settings, "server") } },
            { "volumes", Volumes() },
        };

        // No `replicas`: the HorizontalPodAutoscaler owns the count, and a GitOps sync would otherwise reset it.
        document.Add("spec", new YamlMap
        {
            { "selector", new YamlMap { { "matchLabels", Selector(settings) } } },
            { "strategy", new YamlMap { { "type", "RollingUpdate" }, { "rollingUpdate", new YamlMap { { "maxUnavailable", 0 }, { "maxSurge", 1 } } } } },
            { "template", new YamlMap { { "metadata", podMetadata }, { "spec", pod } } },
        });
        return document;
    }

    private static YamlMap Service(KubernetesSettings settings)
    {
        var document = Object("v1", "Service", settings);
        document.Add("spec", new YamlMap
        {
            { "type", "ClusterIP" },
            { "selector", Selector(settings) },
            { "ports", new YamlList { new YamlMap { { "name", "http" }, { "port", 80 }, { "targetPort", "http" }, { "protocol", "TCP" } } } },
        });
        return document;
    }

    private static YamlMap Autoscaler(KubernetesSettings settings)
    {
        var document = Object("autoscaling/v2", "HorizontalPodAutoscaler", settings);
        document.Add("spec", new YamlMap
        {
            { "scaleTargetRef", new YamlMap { { "apiVersion", "apps/v1" }, { "kind", "Deployment" }, { "name", settings.Name } } },
            { "minReplicas", settings.MinReplicas },
            { "maxReplicas", settings.MaxReplicas },
            {
                "metrics", new YamlList
                {
                    new YamlMap
                    {
                        { "type", "Resource" },
                        { "resource", new YamlMap { { "name", "cpu" }, { "target", new YamlMap { { "type", "Utilization" }, { "averageUtilization", settings.TargetCpuPercent } } } } },
                    },
                }
            },
        });
        return document;
    }

    private static YamlMap DisruptionBudget(KubernetesSettings settings)
    {
        var document = Object("policy/v1", "PodDisruptionBudget", settings);
        // One replica may be drained at a time; with a single replica that still lets a node drain (a brief gap, not a stuck drain).
        document.Add("spec", new YamlMap
        {
            { "maxUnavailable", 1 },
            { "selector", new YamlMap { { "matchLabels", Selector(settings) } } },
        });
        return document;
    }

    private static YamlMap ServingRuntime(KubernetesSettings settings, string configDigest)
    {
        var document = Object("serving.kserve.io/v1alpha1", "ServingRuntime", settings, new YamlMap { { "mlops/config-digest", configDigest } });
        document.Add("spec", new YamlMap
        {
            { "supportedModelFormats", new YamlList { new YamlMap { { "name", "mlops" }, { "version", "1" }, { "autoSelect", true } } } },
            { "protocolVersions", new YamlList { "v2" } },
            { "multiModel", false },
            { "containers", new YamlList { Container(settings, "kserve-container") } },
            { "volumes", Volumes() },
        });
        return document;
    }

    private static YamlMap InferenceService(KubernetesSettings settings)
    {
        var document = Object("serving.kserve.io/v1beta1", "InferenceService", settings);
        document.Add("spec", new YamlMap
        {
            {
                "predictor", new YamlMap
                {
                    { "minReplicas", settings.MinReplicas },
                    { "maxReplicas", settings.MaxReplicas },
                    {
                        "model", new YamlMap
                        {
                            { "modelFormat", new YamlMap { { "name", "mlops" } } },
                            { "runtime", settings.Name },
                            { "protocolVersion", "v2" },
                        }
                    },
                }
            },
        });
        return document;
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")]
    private static partial Regex Quantity();
}
