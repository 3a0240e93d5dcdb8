using System.CommandLine;
using Mlops.Pipeline.Drift;
using Mlops.Runtime.Monitoring.Drift;

namespace Mlops.Cli.Commands.Drift;

/// <summary>
/// What <c>mlops drift</c> and <c>mlops report drift</c> compare and how (--reference, --current,
/// --feature-set, --model, --method, --threshold, --drift-share, --repo, --store): one set of options
/// and one reading, so the report's figures are the drift command's figures.
/// </summary>
internal sealed class DriftInputOptions
{
    private readonly Option<FileInfo> _reference = new("--reference") { Description = "The reference CSV file (a header naming the features, then one row per line). Optional with --model, whose bundle keeps a reference sample." };
    private readonly Option<string> _current = new("--current") { Description = "The current data: a CSV file, or the server's prediction log folder (predictions-*.jsonl).", Required = true };
    private readonly Option<string> _featureSet = new("--feature-set") { Description = "Read the files with the types of this feature set (SET@V, from features/). Without it or --model, kinds are inferred from the reference." };
    private readonly Option<string> _model = new("--model") { Description = "A registered version (MODEL@vN): its bundle's features type the files, and its reference sample is the reference when --reference is not given." };
    private readonly Option<string> _method = new("--method") { Description = $"The test for every feature: {string.Join(", ", DriftMethods.Names)}. The default is auto (docs/monitoring.md)." };
    private readonly Option<double?> _threshold = new("--threshold") { Description = "The threshold for every feature instead of the method's default (0.05 for p-values, 0.1 for distances)." };
    private readonly Option<double?> _driftShare = new("--drift-share") { Description = "The share of drifted features at which the data set has drifted. The default is 0.5." };
    private readonly Option<DirectoryInfo> _repo = new("--repo") { Description = "Repository root; defaults to the current folder." };
    private readonly Option<string> _store = StoreOption.Create();

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _reference, _current, _featureSet, _model, _method, _threshold, _driftShare, _repo, _store })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// Reads both sides and compares them (<see cref="DriftStage"/>). Bad usage throws <see cref="UsageException"/>;
    /// an unreadable file is written to standard error in the compiler's format and gives null (exit 2).
    /// </summary>
    public async Task<DriftOutcome?> CompareAsync(ParseResult parse, CliContext context, bool allStatistics, CancellationToken cancellationToken)
    {
        var method = DriftMethod.Auto;
        if (parse.GetValue(_method) is { } name && !DriftMethods.TryParse(name, out method))
        {
            throw new UsageException($"--method '{name}' is not a drift method; use one of {string.Join(", ", DriftMethods.Names)}.");
        }

        var options = new DriftOptions { Method = method, Threshold = parse.GetValue(_threshold), DriftShare = parse.GetValue(_driftShare) ?? 0.5, AllStatistics = allStatistics };
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new UsageException(string.Join(" ", problems));
        }

        var repo = parse.GetValue(_repo) ?? new DirectoryInfo(".");
        var current = parse.GetValue(_current)!;
        var request = new DriftRequest(
            repo.FullName,
            parse.GetValue(_reference) is { } file ? new DriftPath(file.FullName, file.ToString()) : null,
            new DriftPath(Path.GetFullPath(current), current))
        {
            FeatureSet = parse.GetValue(_featureSet),
            Model = parse.GetValue(_model),
            Options = options,
        };

        var store = parse.GetValue(_store);
        try
        {
            return await DriftStage.RunAsync(request, () => StoreOption.Open(repo.FullName, store), context.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (DriftInputException e)
        {
            await context.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return null;
        }
    }
}
