using BenchmarkDotNet.Attributes;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Validation;

namespace Mlops.Benchmarks;

/// <summary>mlops validate on the example: 4 declaration files and 7,043 data rows.</summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private readonly string _root = FindRoot();

    [Benchmark(Description = "declarations only (load + cross-references)")]
    public Task<DeclarationSet> Declarations() => RepositoryLoader.LoadAsync(_root);

    [Benchmark(Description = "full validate (declarations + digest + 7,043 rows)")]
    public Task<ValidationReport> Full() => RepositoryValidator.ValidateAsync(_root);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from a checkout (no Mlops.sln above the binary).");
    }
}
