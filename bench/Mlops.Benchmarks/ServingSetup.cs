using Mlops.Runtime.Data;
using System.Reflection;
using Microsoft.ML;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Serving.Batching;

namespace Mlops.Benchmarks;

/// <summary>
/// The example churn model as serving sees it: trained from models/churn.yaml and data/telco-churn.csv
/// through Mlops.Pipeline (as <c>dotnet cake</c> does), loaded with the runtime's ModelScorer, and
/// 10,000 request rows cut from the data file (its 7,043 rows, repeated) in the form the server has
/// after parsing JSON: numbers as double, bools as bool, categories as strings.
/// </summary>
internal sealed class ServingSetup : IDisposable
{
    public const int Rows = 10_000;

    private static readonly MethodInfo s_rawLoop = typeof(ServingSetup).GetMethod(nameof(CreateRawLoop), BindingFlags.NonPublic | BindingFlags.Static)!;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlops-bench-" + Guid.NewGuid().ToString("N"));

    private ServingSetup(string root)
    {
        var declarations = RepositoryLoader.LoadAsync(root).GetAwaiter().GetResult();
        var model = declarations.FindModel("churn") ?? throw new InvalidOperationException("models/churn.yaml is missing.");
        var featureSet = declarations.Find(model.Value.FeatureSet) ?? throw new InvalidOperationException("features/customer.yaml is missing.");
        var training = new ModelTrainer().TrainAsync(new TrainingRequest(root, model, featureSet), _folder).GetAwaiter().GetResult();
        ModelPath = training.ModelPath;
        FeatureSet = featureSet.Value;
        Scorer = ModelScorer.Load(ModelPath);
        Schema = new InputSchema([.. FeatureSet.Features.Select(BundleInput.For)], FeatureSet);
        RequestRows = ReadRows(Path.Combine(root, model.Value.Data.Path ?? throw new InvalidOperationException("models/churn.yaml keeps its data in the store; the benchmark reads the example's data/telco-churn.csv.")), FeatureSet);
        var problems = new List<string>();
        CleanRows = [.. RequestRows.Select(r => Schema.CheckRows([r], problems))];
        SingleRowRequests = [.. RequestRows.Select(r => ByColumn([r], FeatureSet).Select(c => KeyValuePair.Create(c.Key, FeatureColumn.Of(c.Value))).ToList())];
        RequestColumns = ByColumn(RequestRows, FeatureSet);
        EncodedColumns = [.. RequestColumns.Select(c => KeyValuePair.Create(c.Key, c.Value is string?[] texts ? Encode(texts) : FeatureColumn.Of(c.Value)))];
        if (problems.Count > 0)
        {
            throw new InvalidOperationException("rows of the example do not fit its own model: " + string.Join(" ", problems.Take(5)));
        }
    }

    public string ModelPath { get; }

    public FeatureSet FeatureSet { get; }

    public ModelScorer Scorer { get; }

    public InputSchema Schema { get; }

    /// <summary>Rows as the server has them after parsing a request.</summary>
    public IReadOnlyList<Dictionary<string, object?>> RequestRows { get; }

    /// <summary>The same rows by column, typed as a caller holding a table would have them: double, bool and string arrays.</summary>
    public IReadOnlyList<KeyValuePair<string, Array>> RequestColumns { get; }

    /// <summary>
    /// The same columns with categories dictionary-encoded (distinct values and a code per row), the
    /// way an Arrow or Parquet reader hands them over; encoding is done here, not in the measured call.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, FeatureColumn>> EncodedColumns { get; }

    /// <summary>Each row checked alone: a batch of one, as a single-row request becomes.</summary>
    public IReadOnlyList<FeatureBatch> CleanRows { get; }

    /// <summary>Each row as a single-row v2 request's tensors become after reading: one typed array of one value per feature.</summary>
    public IReadOnlyList<List<KeyValuePair<string, FeatureColumn>>> SingleRowRequests { get; }

    public static ServingSetup Create() => new(FindRoot());

    /// <summary>A file of the checkout, by its path from the root.</summary>
    public static string RepositoryFile(string relative) => Path.Combine(FindRoot(), relative);

    /// <summary>The model served as the primary of "churn", with a batcher when <paramref name="batching"/> is given.</summary>
    public static ServedModel Serve(IScorer scorer, InputSchema schema, BatchingOptions? batching)
    {
        var loaded = new LoadedModel("churn", 1, "sha256:" + new string('0', 64), null!, scorer, schema)
        {
            Batcher = batching is null ? null : new DynamicBatcher(scorer, batching),
        };
        return new ServedModel("churn", true, loaded, null, null, null, schema.Entity, "bench");
    }

    /// <summary>
    /// A hand-written loop over a raw <c>PredictionEngine&lt;TRow, CalibratedBinaryOutput&gt;</c> with
    /// typed rows filled in advance: the fastest way ML.NET offers to score one row at a time.
    /// </summary>
    public Func<float> RawPredictionEngineLoop()
    {
        var context = new MLContext(seed: 0);
        var model = context.Model.Load(ModelPath, out var inputSchema);
        var rowType = FeatureRowType.FromSchema(inputSchema);
        var rows = CleanRows.Select(r => Fill(rowType, r)).ToArray();
        return (Func<float>)s_rawLoop.MakeGenericMethod(rowType.Type).Invoke(null, [context, model, rows])!;
    }

    /// <summary>ML.NET's bulk path on the same typed rows: one IDataView, one Transform, one cursor.</summary>
    public Func<float> RawDataViewBatch()
    {
        var context = new MLContext(seed: 0);
        var model = context.Model.Load(ModelPath, out var inputSchema);
        var rowType = FeatureRowType.FromSchema(inputSchema);
        var rows = CleanRows.Select(r => Fill(rowType, r)).ToArray();
        return () =>
        {
            var scored = model.Transform(rowType.ToDataView(context, rows));
            var sum = 0f;
            foreach (var output in context.Data.CreateEnumerable<CalibratedBinaryOutput>(scored, reuseRowObject: true, ignoreMissingColumns: true))
            {
                sum += output.Probability;
            }

            return sum;
        };
    }

    private static object Fill(FeatureRowType rowType, FeatureBatch values)
    {
        var row = rowType.NewRow();
        rowType.Clear(row);
        for (var c = 0; c < values.Columns.Count; c++)
        {
            var index = rowType.IndexOf(values.Columns[c].Name);
            if (values.Columns[c].Kind == RowColumnKind.Text)
            {
                rowType.SetText(row, index, values.TextAt(c, 0));
            }
            else
            {
                rowType.SetNumber(row, index, values.NumberAt(c, 0));
            }
        }

        return row;
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Func<float> CreateRawLoop<TRow>(MLContext context, ITransformer model, object[] rows)
        where TRow : class
    {
        var engine = context.Model.CreatePredictionEngine<TRow, CalibratedBinaryOutput>(model, ignoreMissingColumns: true);
        var typed = rows.Cast<TRow>().ToArray();
        var output = new CalibratedBinaryOutput();
        return () =>
        {
            var sum = 0f;
            foreach (var row in typed)
            {
                engine.Predict(row, ref output);
                sum += output.Probability;
            }

            return sum;
        };
    }

    private static List<Dictionary<string, object?>> ReadRows(string path, FeatureSet featureSet)
    {
        using var reader = new StreamReader(path);
        var csv = CsvReader.ReadAsync(reader).ToBlockingEnumerable().ToList();
        var header = csv[0].Fields;
        var data = csv.Skip(1).ToList();
        var features = featureSet.Features.Select(f => (Feature: f, Column: Array.IndexOf(header, f.Name))).ToList();
        var rows = new List<Dictionary<string, object?>>(Rows);
        for (var i = 0; i < Rows; i++)
        {
            var fields = data[i % data.Count].Fields;
            var row = new Dictionary<string, object?>(features.Count, StringComparer.Ordinal);
            foreach (var (feature, column) in features)
            {
                var text = fields[column];
                row[feature.Name] = feature.Type switch
                {
                    _ when text.Length == 0 => null,
                    FeatureType.Bool => text is "1" or "true" or "Yes",
                    FeatureType.Float or FeatureType.Int => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
                    _ => text,
                };
            }

            rows.Add(row);
        }

        return rows;
    }

    public static List<KeyValuePair<string, Array>> ByColumn(IReadOnlyList<Dictionary<string, object?>> rows, FeatureSet featureSet) =>
        [.. featureSet.Features.Select(feature => KeyValuePair.Create(feature.Name, feature.Type switch
        {
            FeatureType.Bool => (Array)rows.Select(r => (bool)r[feature.Name]!).ToArray(),
            FeatureType.Float or FeatureType.Int => rows.Select(r => (double?)r[feature.Name]).ToArray(),
            _ => rows.Select(r => (string?)r[feature.Name]).ToArray(),
        }))];

    private static FeatureColumn Encode(string?[] texts)
    {
        var dictionary = texts.Distinct(StringComparer.Ordinal).ToList();
        var codes = texts.Select(t => dictionary.IndexOf(t)).ToArray();
        return FeatureColumn.Encoded(dictionary, codes);
    }

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
