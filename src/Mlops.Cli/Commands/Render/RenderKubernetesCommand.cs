using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using Mlops.Cli.Commands.Promote;
using Mlops.Pipeline.Deployment;
using Mlops.Runtime.Git;
using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands.Render;

/// <summary><c>mlops render k8s --environment ENV [--image IMAGE] [--kserve]</c>: the Kubernetes objects that serve an environment (docs/kubernetes.md).</summary>
internal static class RenderKubernetesCommand
{
    /// <summary>The image when <c>--image</c> is not given: the Dockerfile's image at this mlops version (docs/container.md).</summary>
    public static string DefaultImage { get; } = "mlops-server:" + (typeof(RenderKubernetesCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "latest");

    public static Command Create(CliContext context)
    {
        var environment = new Option<string>("--environment") { Description = "The environment the replicas serve (environments/ENV.yaml).", Required = true };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var output = new Option<DirectoryInfo>("--output") { Description = "The folder to write one YAML file per object into; defaults to deploy/k8s/ENV under the repository." };
        var image = new Option<string>("--image") { Description = $"The server's container image (docs/container.md); defaults to {DefaultImage}." };
        var gitRemote = new Option<string>("--git-remote") { Description = "The https git remote the replicas follow; defaults to the repository's origin (without any credentials in it)." };
        var branch = new Option<string>("--branch") { Description = "The branch the replicas follow.", DefaultValueFactory = _ => "main" };
        var store = new Option<string>("--store") { Description = $"The S3 bundle store every replica reaches (s3://BUCKET/PREFIX?endpoint=URL); defaults to ${StoreLocation.EnvironmentVariable}." };
        var ns = new Option<string>("--namespace") { Description = "Write this namespace into each object; without it the applier's (Argo CD's destination) is used." };
        var name = new Option<string>("--name") { Description = "The objects' name; defaults to mlops-ENV." };
        var secret = new Option<string>("--secret") { Description = "The Secret the credentials come from; defaults to NAME-secrets (docs/kubernetes.md lists its keys)." };
        var minReplicas = new Option<int>("--min-replicas") { Description = "The fewest replicas.", DefaultValueFactory = _ => 2 };
        var maxReplicas = new Option<int>("--max-replicas") { Description = "The most replicas the autoscaler may run.", DefaultValueFactory = _ => 5 };
        var targetCpu = new Option<int>("--target-cpu") { Description = "The average CPU use, in percent of the request, the autoscaler aims at.", DefaultValueFactory = _ => 70 };
        var cpu = new Option<string>("--cpu") { Description = "The CPU each replica requests.", DefaultValueFactory = _ => "250m" };
        var memory = new Option<string>("--memory") { Description = "The memory each replica requests and is limited to.", DefaultValueFactory = _ => "512Mi" };
        var poll = new Option<double>("--poll-seconds") { Description = "How often each replica fetches the branch.", DefaultValueFactory = _ => 30 };
        var kserve = new Option<bool>("--kserve") { Description = "Render a KServe ServingRuntime and InferenceService (Open Inference Protocol v2) instead of the Deployment, Service, autoscaler and disruption budget." };
        var command = new Command("k8s", "Write the Kubernetes objects that serve an environment: each replica follows the git branch and the store on its own.")
        {
            environment, repo, output, image, gitRemote, branch, store, ns, name, secret, minReplicas, maxReplicas, targetCpu, cpu, memory, poll, kserve,
        };
        command.SetAction((parse, ct) =>
        {
            var root = PromotionErrors.Root(parse.GetValue(repo));
            var env = parse.GetValue(environment)!;
            var settings = new KubernetesSettings(env, parse.GetValue(image) ?? DefaultImage, "", parse.GetValue(branch)!, "")
            {
                Namespace = parse.GetValue(ns),
                SecretName = parse.GetValue(secret),
                MinReplicas = parse.GetValue(minReplicas),
                MaxReplicas = parse.GetValue(maxReplicas),
                TargetCpuPercent = parse.GetValue(targetCpu),
                Cpu = parse.GetValue(cpu)!,
                Memory = parse.GetValue(memory)!,
                PollInterval = TimeSpan.FromSeconds(parse.GetValue(poll)),
                KServe = parse.GetValue(kserve),
            };
            if (parse.GetValue(name) is { } given)
            {
                settings = settings with { Name = given };
            }

            var folder = parse.GetValue(output)?.FullName ?? Path.Combine(root, "deploy", "k8s", env);
            return RunAsync(context, root, settings, parse.GetValue(gitRemote), parse.GetValue(store), folder, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, string root, KubernetesSettings settings, string? gitRemote, string? store, string folder, CancellationToken cancellationToken)
    {
        await RenderCommand.LoadEnvironmentAsync(root, settings.Environment, cancellationToken).ConfigureAwait(false);
        settings = settings with
        {
            GitRemote = await RemoteAsync(context, root, gitRemote).ConfigureAwait(false),
            Store = store ?? Environment.GetEnvironmentVariable(StoreLocation.EnvironmentVariable)
                ?? throw new UsageException($"no store is given: pass the S3 store the replicas fetch bundles from with --store s3://BUCKET/PREFIX (or set {StoreLocation.EnvironmentVariable}); docs/store.md."),
        };
        if (KubernetesManifests.Problems(settings) is { Count: > 0 } problems)
        {
            throw new UsageException(string.Join(" ", problems));
        }

        var manifests = KubernetesManifests.Render(settings);
        try
        {
            Directory.CreateDirectory(folder);
            var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
            foreach (var manifest in manifests)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, manifest.FileName), manifest.Text, encoding, cancellationToken).ConfigureAwait(false);
            }

            // A file an earlier rendering wrote (the Deployment before --kserve, say) would otherwise be applied too; other files are the user's.
            foreach (var stale in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal).ToList())
            {
                if (manifests.All(m => m.FileName != Path.GetFileName(stale)) && (await File.ReadAllTextAsync(stale, cancellationToken).ConfigureAwait(false)).StartsWith(KubernetesManifests.Marker, StringComparison.Ordinal))
                {
                    File.Delete(stale);
                    await context.Error.WriteLineAsync($"render k8s: removed {Path.GetFileName(stale)}, which this rendering no longer has").ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write into '{folder}': {e.Message.TrimEnd('.')}. Pass a writable folder with --output.");
        }

        foreach (var manifest in manifests)
        {
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{Path.Combine(folder, manifest.FileName)}\t{manifest.Kind}")).ConfigureAwait(false);
        }

        await context.Error.WriteLineAsync($"render k8s {settings.Environment}: {manifests.Count} object(s) written to {folder}; the credentials come from the Secret '{settings.EffectiveSecretName}' (docs/kubernetes.md, \"Secrets\")").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>The remote the replicas follow: the option, else origin's URL; credentials in it are never written, an SSH remote becomes its https form.</summary>
    private static async Task<string> RemoteAsync(CliContext context, string root, string? given)
    {
        var url = given;
        if (url is null)
        {
            using var repository = GitRepository.Discover(root);
            url = repository?.RemoteUrl("origin")
                ?? throw new UsageException($"{(repository is null ? $"'{root}' is not in a git repository" : $"the repository at '{repository.Location}' has no remote 'origin'")}, so the remote the replicas follow is unknown. Pass its https URL with --git-remote URL (and the branch with --branch).");
        }

        var safe = GitRemoteUrl.WithoutUserInfo(url);
        if (safe != url)
        {
            await context.Error.WriteLineAsync("render k8s: the remote's URL holds credentials; they are left out of the manifests. Put the token in the Secret's git-token key.").ConfigureAwait(false);
        }

        if (GitRemoteUrl.IsSsh(safe))
        {
            var https = GitRemoteUrl.HttpsFor(safe)
                ?? throw new UsageException($"the remote '{safe}' is an SSH remote, which the server cannot reach (docs/git.md). Pass its https URL with --git-remote URL.");
            await context.Error.WriteLineAsync($"render k8s: the remote '{safe}' is an SSH remote, which the server cannot reach; the replicas follow {https} (pass --git-remote to choose another).").ConfigureAwait(false);
            return https;
        }

        return safe;
    }
}
