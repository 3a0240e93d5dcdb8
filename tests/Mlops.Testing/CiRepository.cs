namespace Mlops.Testing;

/// <summary>
/// A git repository for <c>mlops ci</c> tests: the example (churn on customer@1) committed on main, plus model
/// upsell on customer@2 (declared in features/customer-v2.yaml) and model footfall on another feature set, store@1.
/// </summary>
public static class CiRepository
{
    /// <summary>A well-formed bundle digest for pins; no store holds it.</summary>
    public const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static ExampleRepository Create()
    {
        var repository = new ExampleRepository();
        var customer = repository.Read("features/customer.yaml");
        repository.Write("features/customer-v2.yaml", customer.Replace("version: 1\n", "version: 2\n", StringComparison.Ordinal));
        repository.Write("features/store.yaml", customer.Replace("featureSet: customer\n", "featureSet: store\n", StringComparison.Ordinal));
        var churn = repository.Read("models/churn.yaml");
        repository.Write("models/upsell.yaml", churn.Replace("model: churn\n", "model: upsell\n", StringComparison.Ordinal)
            .Replace("featureSet: customer@1", "featureSet: customer@2", StringComparison.Ordinal));
        repository.Write("models/footfall.yaml", churn.Replace("model: churn\n", "model: footfall\n", StringComparison.Ordinal)
            .Replace("featureSet: customer@1", "featureSet: store@1", StringComparison.Ordinal));
        Git.InitAndCommit(repository.Path);
        return repository;
    }

    /// <summary>Makes an environment whose file has <c>models: []</c> pin <paramref name="model"/> v<paramref name="version"/>.</summary>
    public static void Pin(TempDirectory repository, string environment, string model, int version) =>
        repository.Replace($"environments/{environment}.yaml", "models: []", $"models:\n  - {{ model: {model}, version: {version}, digest: \"{Digest}\" }}");

    /// <summary>Commits every change and returns the new HEAD's sha.</summary>
    public static string Commit(TempDirectory repository, string message)
    {
        Git.CommitAll(repository.Path, message);
        return Git.Run(repository.Path, "rev-parse", "HEAD").Trim();
    }
}
