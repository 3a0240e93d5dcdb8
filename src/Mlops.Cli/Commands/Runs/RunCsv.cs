using Mlops.Pipeline.Tracking;
using Mlops.Runtime.Data;

namespace Mlops.Cli.Commands.Runs;

/// <summary>
/// Many runs as RFC 4180 CSV (<c>--csv</c>), through <see cref="CsvWriter"/>: a header row, then a row per run; parameter
/// columns are <c>params.NAME</c> and metric columns <c>metrics.COLUMN</c>, as MLflow names them. Numbers are
/// culture-invariant and round-trip; a run lacking a value (or a metric recorded as undefined) has an empty field.
/// </summary>
internal static class RunCsv
{
    public static void Write(TextWriter writer, RunTable table)
    {
        var csv = new CsvWriter(writer);
        csv.Record(["id", "model", "status", "startedAt", "dataDigest", "trainer",
            .. table.Params.Select(name => RunTable.ParamPrefix + name),
            .. table.Metrics.Select(metric => RunTable.MetricPrefix + metric.Column)]);
        foreach (var run in table.Runs)
        {
            csv.Field(run.Id);
            csv.Field(run.Model);
            csv.Field(RunComparison.Name(run.Status));
            csv.Field(RunJson.Time(run.StartedAt));
            csv.Field(run.DataDigest);
            csv.Field(RunTable.Trainer(run));
            foreach (var name in table.Params)
            {
                csv.Field(run.Params.GetValueOrDefault(name));
            }

            foreach (var metric in table.Metrics)
            {
                if (RunTable.Value(run, metric) is { } value)
                {
                    csv.Field(value);
                }
                else
                {
                    csv.Field((string?)null);
                }
            }

            csv.EndRecord();
        }
    }
}
