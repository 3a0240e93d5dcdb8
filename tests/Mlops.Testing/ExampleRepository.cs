namespace Mlops.Testing;

/// <summary>A temp copy of this repository's example (features, models, environments, data, and the runbooks the environments name) to corrupt or extend.</summary>
public sealed class ExampleRepository : TempDirectory
{
    public ExampleRepository()
        : base("mlops-example")
    {
        foreach (var folder in new[] { "features", "models", "environments", "data", "docs/runbooks" })
        {
            Copy(RepositoryRoot.Combine(folder), Combine(folder));
        }
    }

    /// <summary>The data file's lines (header first), for tests that edit rows.</summary>
    public string[] DataLines => File.ReadAllLines(Combine("data/telco-churn.csv"));

    /// <summary>Rewrites the example data with its lines edited; line numbers are 1-based like diagnostics.</summary>
    public void EditDataLine(int line, Func<string, string> edit)
    {
        var lines = DataLines;
        lines[line - 1] = edit(lines[line - 1]);
        File.WriteAllText(Combine("data/telco-churn.csv"), string.Join('\n', lines) + "\n");
    }

    /// <summary>Sets models/churn.yaml's data digest to the data file's current sha256, so only the edit under test is reported.</summary>
    public void UpdateDataDigest()
    {
        using var stream = File.OpenRead(Combine("data/telco-churn.csv"));
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        var model = Read("models/churn.yaml");
        var start = model.IndexOf("sha256:", StringComparison.Ordinal);
        Write("models/churn.yaml", model[..start] + digest + model[(start + digest.Length)..]);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(from))
        {
            Copy(directory, System.IO.Path.Combine(to, System.IO.Path.GetFileName(directory)));
        }
    }
}
