using System.Globalization;
using Mlops.Declarations.Digests;
using Mlops.Pipeline.Tracking;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Mlops.Cli.Commands.Runs;

/// <summary>The tables people see. Values are rendered as plain text, never parsed as markup.</summary>
internal static class RunTables
{
    private static readonly Style s_changed = new(Color.Yellow);
    private static readonly Style s_dim = new(decoration: Decoration.Dim);

    public static Table List(IReadOnlyList<Run> runs, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Run", "Model", "Status", "Started (UTC)", "Duration", "Commit", "Metrics (holdout)");
        foreach (var run in runs)
        {
            var headline = run.Metrics.Where(m => m.Split == RunMetric.Holdout && m.Slice.Length == 0).Take(3)
                .Select(m => $"{m.Name} {Number(m.Value)}");
            table.AddRow(Cells(run.Id, run.Model, Status(run.Status), Time(run.StartedAt), Duration(run, now), run.Git.Short, string.Join(", ", headline)));
        }

        return table;
    }

    public static IEnumerable<IRenderable> Show(Run run, DateTimeOffset now, Leaderboard? leaderboard = null)
    {
        var facts = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        void Fact(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                facts.AddRow(new Text(name, s_dim), new Text(value));
            }
        }

        Fact("Run", run.Id);
        Fact("Model", run.Model);
        Fact("Status", Status(run.Status));
        Fact("Started (UTC)", Time(run.StartedAt));
        Fact("Ended (UTC)", run.EndedAt is { } ended ? Time(ended) : null);
        Fact("Duration", Duration(run, now));
        Fact("Error", run.Error?.ToString());
        Fact("Git commit", run.Git.Commit is null ? "(not in a git repository)" : run.Git.Commit + (run.Git.Dirty == true ? " (dirty: uncommitted changes)" : ""));
        Fact("Git branch", run.Git.Branch);
        Fact("Seed", run.Seed?.ToString(CultureInfo.InvariantCulture));
        Fact("Cache key", run.CacheKey);
        Fact("Data digest", run.DataDigest);
        Fact("Declarations digest", run.DeclarationsDigest);
        Fact("Artifact", run.Artifact?.Path);
        Fact("Artifact digest", run.Artifact?.Digest);
        Fact("ML.NET", run.Toolchain.MlNet);
        Fact(".NET", run.Toolchain.DotNet);
        Fact("OS", run.Toolchain.Os);
        Fact("Recorded by", run.Host is null ? null : $"{run.Host}, process {run.ProcessId?.ToString(CultureInfo.InvariantCulture)}");
        Fact("Part of run", run.ParentId);
        Fact("Attachments", string.Join(", ", run.Attachments));
        yield return facts;

        if (run.Params.Count > 0)
        {
            var parameters = new Table().Border(TableBorder.Rounded).Title("Params").AddColumns("Param", "Value");
            foreach (var (name, value) in run.Params)
            {
                parameters.AddRow(Cells(name, value));
            }

            yield return parameters;
        }

        if (run.Metrics.Count > 0)
        {
            var metrics = new Table().Border(TableBorder.Rounded).Title("Metrics").AddColumns("Metric", "Split", "Slice")
                .AddColumn(new TableColumn(new Text("Value [95% interval]")).RightAligned());
            foreach (var metric in run.Metrics.Where(m => !RunMetric.IsCrossValidationDetail(m.Split)))
            {
                metrics.AddRow(Cells(metric.Name, metric.Split, metric.Slice, metric.Interval is { } interval ? $"{Number(metric.Value)} {interval}" : Number(metric.Value)));
            }

            yield return metrics;
        }

        if (RunCrossValidation.Of(run) is { } cv)
        {
            yield return CrossValidation(cv);
        }

        if (leaderboard is not null)
        {
            yield return Leaderboard(leaderboard);
        }
    }

    /// <summary>The cv section: each metric's mean ± standard deviation, its 95% interval, and the value of every fold.</summary>
    private static Table CrossValidation(RunCrossValidation cv)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"Cross-validation ({cv.Folds} folds)")
            .AddColumn("Metric").AddColumn(new TableColumn("Mean ± sd").RightAligned()).AddColumn(new TableColumn("95% interval").RightAligned());
        for (var k = 1; k <= cv.Folds; k++)
        {
            table.AddColumn(new TableColumn($"Fold {k}").RightAligned());
        }

        foreach (var metric in cv.Metrics)
        {
            var mean = metric.StandardDeviation is { } sd ? $"{Number(metric.Mean)} ± {Number(sd)}" : Number(metric.Mean);
            table.AddRow(Cells([metric.Name, mean, metric.Interval?.ToString() ?? "", .. metric.Folds.Select(v => v is { } value ? Number(value) : "")]));
        }

        return table;
    }

    /// <summary>The trials of a <c>trainer: auto</c> run, best first; the chosen one marked with <c>*</c> (child run ids are in <c>--json</c>).</summary>
    public static Table Leaderboard(Leaderboard leaderboard)
    {
        var direction = leaderboard.GreaterIsBetter ? "higher is better" : "lower is better";
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"Leaderboard: {leaderboard.Entries.Count} trials, {leaderboard.Folds}-fold cv {leaderboard.Metric} ({direction}); * chosen"))
            .AddColumns("Rank", "Trial", "Trainer", "Params")
            .AddColumn(new TableColumn(new Text($"cv {leaderboard.Metric} ± sd [95% interval]")).RightAligned());
        foreach (var entry in leaderboard.Entries)
        {
            var score = entry.Mean is { } mean
                ? $"{Number(mean)} ± {Number(entry.StandardDeviation)}" + (entry.Interval is { } interval ? $" {interval}" : "")
                : $"failed: {entry.Error}";
            var parameters = entry.Params.Count == 0 ? "(defaults)" : string.Join(' ', entry.Params.Select(p => $"{p.Key}={p.Value}"));
            table.AddRow(Cells((entry.Chosen ? "* " : "") + entry.Rank.ToString(CultureInfo.InvariantCulture), entry.Trial.ToString(CultureInfo.InvariantCulture),
                entry.Trainer, parameters, score));
        }

        return table;
    }

    public static IEnumerable<IRenderable> Compare(RunComparison comparison)
    {
        yield return new Text($"A: {comparison.A.Id} ({comparison.A.Model}, {Status(comparison.A.Status)}, started {Time(comparison.A.StartedAt)})\n"
            + $"B: {comparison.B.Id} ({comparison.B.Model}, {Status(comparison.B.Status)}, started {Time(comparison.B.StartedAt)})\n");
        yield return Values("Inputs", "Input", comparison.Inputs.Where(i => i.A is not null || i.B is not null));
        if (comparison.Params.Count > 0)
        {
            yield return Values("Params", "Param", comparison.Params);
        }

        if (comparison.Metrics.Count > 0)
        {
            var metrics = new Table().Border(TableBorder.Rounded).Title("Metrics (change = B - A)").AddColumns("Metric", "Split", "Slice")
                .AddColumn(new TableColumn("A").RightAligned()).AddColumn(new TableColumn("B").RightAligned()).AddColumn(new TableColumn("Change").RightAligned());
            foreach (var metric in comparison.Metrics)
            {
                var style = metric.Delta is 0 ? Style.Plain : s_changed;
                metrics.AddRow(new Text(metric.Name), new Text(metric.Split), new Text(metric.Slice),
                    new Text(Number(metric.A)), new Text(Number(metric.B)), new Text(Delta(metric.Delta), style));
            }

            yield return metrics;
        }
    }

    /// <summary>Many runs, a row each, a column per parameter and metric (<c>dvc exp show</c>); blank where a run lacks one.</summary>
    public static Table Runs(RunTable runs)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Run", "Model", "Status", "Started (UTC)", "Data", "Trainer");
        foreach (var name in runs.Params)
        {
            table.AddColumn(new TableColumn(Markup.Escape(name)));
        }

        foreach (var metric in runs.Metrics)
        {
            table.AddColumn(new TableColumn(Markup.Escape(metric.Column)).RightAligned());
        }

        foreach (var run in runs.Runs)
        {
            var cells = new List<string>
            {
                run.Id, run.Model, Status(run.Status), Time(run.StartedAt),
                run.DataDigest is { } data ? Sha256Digest.Short(data) : "", RunTable.Trainer(run) ?? "",
            };
            cells.AddRange(runs.Params.Select(name => run.Params.GetValueOrDefault(name) ?? ""));
            cells.AddRange(runs.Metrics.Select(metric => RunTable.Value(run, metric) is { } value ? Number(value) : ""));
            table.AddRow(Cells([.. cells]));
        }

        return table;
    }

    /// <summary>A metric value: up to four decimals, invariant culture; a dash when absent.</summary>
    public static string Number(double? value) => value switch
    {
        null => "-",
        { } v when double.IsNaN(v) => "NaN",
        { } v => v.ToString("0.####", CultureInfo.InvariantCulture),
    };

    /// <summary>A signed change, <c>+0.04</c>; a dash when one side is absent.</summary>
    public static string Delta(double? delta) =>
        delta is { } d ? d.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture) : "-";

    private static Table Values(string title, string header, IEnumerable<ValueChange> values)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title).AddColumns(header, "A", "B", "Changed");
        foreach (var value in values)
        {
            var style = value.Changed ? s_changed : Style.Plain;
            table.AddRow(new Text(value.Name, style), new Text(value.A ?? "-", style), new Text(value.B ?? "-", style), new Text(value.Changed ? "changed" : "", style));
        }

        return table;
    }

    private static IRenderable[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];

    private static string Status(RunStatus status) => RunComparison.Name(status);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Duration(Run run, DateTimeOffset now) => run.Duration is { } duration
        ? Format(duration)
        : run.Status == RunStatus.Running ? $"running for {Format(now - run.StartedAt)}" : "";

    private static string Format(TimeSpan duration) => duration.TotalSeconds < 60
        ? duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
        : duration.TotalHours < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m {duration.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours}h {duration.Minutes:00}m");
}
