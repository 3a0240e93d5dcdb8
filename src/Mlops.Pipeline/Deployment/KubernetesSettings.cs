namespace Mlops.Pipeline.Deployment;

/// <summary>What <c>mlops render k8s</c> renders for one environment (docs/kubernetes.md).</summary>
/// <param name="Environment">The environment served (<c>environments/NAME.yaml</c>).</param>
/// <param name="Image">The server's container image (the Dockerfile's; docs/container.md).</param>
/// <param name="GitRemote">The https git remote each replica follows, without credentials.</param>
/// <param name="Branch">The branch of <paramref name="GitRemote"/> to follow.</param>
/// <param name="Store">The bundle store every replica reaches: an <c>s3://</c> location.</param>
public sealed record KubernetesSettings(string Environment, string Image, string GitRemote, string Branch, string Store)
{
    /// <summary>The objects' name and the Secret's default name prefix.</summary>
    /// <value>The default value is <c>mlops-ENV</c>.</value>
    public string Name { get; init; } = "mlops-" + Environment;

    /// <summary>The namespace written into each object; null leaves it to the applier (Argo CD's destination, <c>kubectl -n</c>).</summary>
    /// <value>The default value is null.</value>
    public string? Namespace { get; init; }

    /// <summary>The Secret the credentials come from (keys in <see cref="KubernetesSecretKeys"/>).</summary>
    /// <value>The default value is <c>NAME-secrets</c>.</value>
    public string? SecretName { get; init; }

    /// <summary>The fewest replicas (the HorizontalPodAutoscaler's floor, the KServe predictor's <c>minReplicas</c>).</summary>
    /// <value>The default value is 2, so one replica can be drained while the other serves.</value>
    public int MinReplicas { get; init; } = 2;

    /// <summary>The most replicas the autoscaler may run.</summary>
    /// <value>The default value is 5.</value>
    public int MaxReplicas { get; init; } = 5;

    /// <summary>The average CPU use, in percent of the request, the autoscaler keeps the replicas at.</summary>
    /// <value>The default value is 70.</value>
    public int TargetCpuPercent { get; init; } = 70;

    /// <summary>The CPU each replica requests (no CPU limit is set: a limit throttles latency without saving anything).</summary>
    /// <value>The default value is <c>250m</c>.</value>
    public string Cpu { get; init; } = "250m";

    /// <summary>The memory each replica requests and is limited to (equal, so a replica is never killed for memory the node lent it).</summary>
    /// <value>The default value is <c>512Mi</c>.</value>
    public string Memory { get; init; } = "512Mi";

    /// <summary>How often each replica fetches the branch.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Render a KServe ServingRuntime and InferenceService instead of the Deployment, Service, autoscaler and disruption budget.</summary>
    /// <value>The default value is false.</value>
    public bool KServe { get; init; }

    /// <summary>The Secret's name: <see cref="SecretName"/>, else <c>NAME-secrets</c>.</summary>
    public string EffectiveSecretName => SecretName ?? Name + "-secrets";
}

/// <summary>A key of the Secret the replicas read their credentials from, and the variable it becomes in the container.</summary>
/// <param name="Key">The key in the Secret.</param>
/// <param name="Variable">The container's environment variable.</param>
/// <param name="Meaning">What it is, for docs and messages.</param>
public sealed record KubernetesSecretKey(string Key, string Variable, string Meaning);

/// <summary>The Secret's keys: credentials reach the replicas only through these references, never as values in a manifest.</summary>
public static class KubernetesSecretKeys
{
    /// <summary>Every key, in the order the manifests list them; each is optional in the Secret.</summary>
    public static IReadOnlyList<KubernetesSecretKey> All { get; } =
    [
        new("git-token", "MLOPS_GIT_TOKEN", "a token that may read the git remote (docs/git.md, \"Credentials\"); leave it out for a public remote"),
        new("aws-access-key-id", "AWS_ACCESS_KEY_ID", "the S3 store's access key (docs/store.md); leave both out to use the pod's role"),
        new("aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", "the S3 store's secret key"),
        new("admin-token", "Mlops__AdminToken", "enables POST /admin/reload"),
        new("inference-token", "Mlops__InferenceToken", "makes the scoring and feedback routes ask for a bearer token"),
        new("viewer-token", "Mlops__Ui__ViewerToken", "lets people who are not on loopback see /ui/"),
    ];
}
