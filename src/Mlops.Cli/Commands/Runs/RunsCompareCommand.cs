using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Output;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Commands.Runs;

/// <summary>
/// <c>mlops runs compare RUN_A RUN_B</c>: inputs, params and metrics side by side, like <c>dvc metrics diff</c>;
/// <c>mlops runs compare RUN...</c> or <c>--last K [--model M]</c>: many runs as one table, like <c>dvc exp show</c>.
/// </summary>
internal static class RunsCompareCommand
{
    /// <summary>What to compare and how to write it.</summary>
    /// <param name="DatabasePath">The run store.</param>
    /// <param name="Runs">Run references; empty when <paramref name="Last"/> picks the runs.</param>
    /// <param name="Model">With <paramref name="Last"/>: only this model's runs.</param>
    /// <param name="Last">How many of the latest runs to show, or null.</param>
    /// <param name="Sort">The column to sort the table by, or null to keep the order.</param>
    /// <param name="Descending">The sort direction, or null for the column's default.</param>
    /// <param name="Json">Write JSON.</param>
    /// <param name="Csv">Write CSV.</param>
    public sealed record Settings(string DatabasePath, IReadOnlyList<string> Runs, string? Model, int? Last, string? Sort, bool? Descending, bool Json, bool Csv)
    {
        /// <summary>Two runs with nothing asking for a table keep the two-run diff.</summary>
        public bool IsDiff => Runs.Count == 2 && Last is null && Sort is null && !Csv;
    }

    public static Command Create(CliContext context)
    {
        var options = new RunStoreOptions();
        var runs = new Argument<string[]>("RUN")
        {
            Description = "The runs: an id, a unique prefix, a model's name or 'latest'. Two runs show a diff (changes are the second minus the first); "
                + "more show a table.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var model = new Option<string>("--model") { Description = "With --last: only this model's runs." };
        var last = new Option<int?>("--last") { Description = "Show the K latest runs (of --model, or of any model) as a table, newest first." };
        var sort = new Option<string>("--sort") { Description = "Sort the table by a metric (best first) or a parameter (ascending): auc, metrics.auc, params.l2Regularization." };
        var ascending = new Option<bool>("--asc") { Description = "Sort ascending, whatever the column's default." };
        var descending = new Option<bool>("--desc") { Description = "Sort descending, whatever the column's default." };
        var csv = new Option<bool>("--csv") { Description = "Write the table as CSV (RFC 4180) instead." };
        var command = new Command("compare", "Compare runs: two side by side with changes, or many as one table with a column per param and metric.")
        {
            runs, model, last, sort, ascending, descending, csv,
        };
        options.AddTo(command);
        command.SetAction((parse, ct) =>
        {
            var references = parse.GetValue(runs) ?? [];
            var lastValue = parse.GetValue(last);
            var modelValue = parse.GetValue(model);
            var json = parse.GetValue(options.Json);
            var csvValue = parse.GetValue(csv);
            if (references.Length > 0 && lastValue is not null)
            {
                throw new UsageException("give either runs or --last K, not both. Drop the runs to show the latest K, or drop --last to compare the runs named.");
            }

            if (references.Length == 0 && lastValue is null)
            {
                throw new UsageException("no runs to compare. Name two or more runs (mlops runs compare RUN_A RUN_B ...) or pick the latest with --last K [--model M].");
            }

            if (references.Length == 1)
            {
                throw new UsageException($"only one run ('{references[0]}') to compare. Name two or more runs, or use 'mlops runs show {references[0]}' for one.");
            }

            if (lastValue is < 1)
            {
                throw new UsageException($"--last must be 1 or more, not {lastValue.Value.ToString(CultureInfo.InvariantCulture)}.");
            }

            if (modelValue is not null && lastValue is null)
            {
                throw new UsageException("--model picks runs with --last K. Add --last K, or name the runs instead of --model.");
            }

            if (parse.GetValue(ascending) && parse.GetValue(descending))
            {
                throw new UsageException("give --asc or --desc, not both.");
            }

            if ((parse.GetValue(ascending) || parse.GetValue(descending)) && parse.GetValue(sort) is null)
            {
                throw new UsageException("--asc and --desc set the direction of --sort COLUMN. Add --sort.");
            }

            if (json && csvValue)
            {
                throw new UsageException("give --json or --csv, not both.");
            }

            bool? direction = parse.GetValue(descending) ? true : parse.GetValue(ascending) ? false : null;
            return RunAsync(context, new Settings(options.ResolvePath(parse), references, modelValue, lastValue, parse.GetValue(sort), direction, json, csvValue), ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = await RunStoreOptions.OpenExistingAsync(settings.DatabasePath, context, cancellationToken).ConfigureAwait(false)
            ?? throw RunStoreOptions.NoStore(settings.DatabasePath);
        var runs = new List<Run>();
        await using (store.ConfigureAwait(false))
        {
            if (settings.Last is { } last)
            {
                runs.AddRange(await store.ListAsync(settings.Model, last, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                foreach (var reference in settings.Runs)
                {
                    runs.Add(await RunStoreOptions.ResolveAsync(store, reference, cancellationToken).ConfigureAwait(false));
                }
            }
        }

        if (settings.IsDiff)
        {
            return await DiffAsync(context, RunComparison.Create(runs[0], runs[1]), settings.Json).ConfigureAwait(false);
        }

        if (settings.Last is { } asked && runs.Count < asked)
        {
            var which = settings.Model is null ? "" : $" of model '{settings.Model}'";
            if (runs.Count == 0)
            {
                throw new UsageException($"no runs{which} are recorded in {TrackingLocation.Display(settings.DatabasePath)}. "
                    + "Train with 'mlops train' first, or see what is recorded with 'mlops runs list'.");
            }

            // A note, not an error: a script asking for the last 5 should still get the 3 there are.
            await context.Error.WriteLineAsync(
                $"mlops: note: --last {asked.ToString(CultureInfo.InvariantCulture)} asked for more runs than there are; "
                + $"{runs.Count.ToString(CultureInfo.InvariantCulture)} run(s){which} are recorded, showing them all.").ConfigureAwait(false);
        }

        var table = RunTable.Create(runs);
        if (settings.Sort is { } column)
        {
            try
            {
                table = table.SortBy(column, settings.Descending);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"--sort: {e.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        if (settings.Json)
        {
            await JsonOutput.WriteAsync(context.Out, json => RunJson.WriteTable(json, table)).ConfigureAwait(false);
        }
        else if (settings.Csv)
        {
            RunCsv.Write(context.Out, table);
            await context.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            context.Console.Write(RunTables.Runs(table));
        }

        return ExitCodes.Success;
    }

    private static async Task<int> DiffAsync(CliContext context, RunComparison comparison, bool json)
    {
        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer => RunJson.WriteComparison(writer, comparison)).ConfigureAwait(false);
        }
        else
        {
            foreach (var part in RunTables.Compare(comparison))
            {
                context.Console.Write(part);
            }
        }

        return ExitCodes.Success;
    }
}
