using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Tests.Schema;

/// <summary>
/// Checks the generated schemas with an independent implementation (Python's jsonschema, as editors and CI
/// tools would): they are valid draft 2020-12 schemas, the valid YAML files pass and bad ones fail.
/// Skipped where python3 with jsonschema and PyYAML is not installed.
/// </summary>
public sealed class JsonSchemaValidationTests : IDisposable
{
    // Every argument pair is SCHEMA YAML; prints one line per file and exits 1 when any file fails.
    private const string Script = """
        import json, sys, yaml
        from jsonschema import Draft202012Validator
        failed = False
        args = sys.argv[1:]
        for schema_path, yaml_path in zip(args[0::2], args[1::2]):
            with open(schema_path, encoding="utf-8") as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
            with open(yaml_path, encoding="utf-8") as f:
                document = yaml.safe_load(f)
            errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path))
            for error in errors:
                failed = True
                print(f"{yaml_path}: {'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
            if not errors:
                print(f"{yaml_path}: ok")
        sys.exit(1 if failed else 0)
        """;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ExampleAndKitchenSinkFiles_ValidateAgainstGeneratedSchemas()
    {
        await SkipUnlessPythonJsonSchemaAsync();
        var schemas = WriteSchemas();
        var pairs = new List<string>();
        foreach (var (folder, schema) in new[] { ("features", "feature-set.schema.json"), ("models", "model.schema.json"), ("environments", "environment.schema.json") })
        {
            foreach (var file in Directory.EnumerateFiles(RepositoryRoot.Combine(folder), "*.yaml").Order(StringComparer.Ordinal))
            {
                pairs.AddRange([Path.Combine(schemas, schema), file]);
            }
        }

        foreach (var (file, schema) in new[] { ("feature-set.yaml", "feature-set.schema.json"), ("model.yaml", "model.schema.json"), ("model-cv.yaml", "model.schema.json"), ("environment.yaml", "environment.schema.json") })
        {
            pairs.AddRange([Path.Combine(schemas, schema), Path.Combine(AppContext.BaseDirectory, "Schema", "KitchenSink", file)]);
        }

        var (exitCode, output) = await RunPythonAsync(pairs);

        Assert.True(exitCode == 0, output);
    }

    public static TheoryData<string, string, string> BadFiles() => new()
    {
        { "feature-set.schema.json", "featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: flaot }\n", "'flaot' is not one of" },
        { "feature-set.schema.json", "featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: float, nulable: true }\n", "('nulable' was unexpected)" },
        { "feature-set.schema.json", "featureSet: customer\nversion: 0\nfeatures: []\n", "0 is less than the minimum of 1" },
        { "feature-set.schema.json", "featureSet: customer\nversion: 1\n", "'features' is a required property" },
        { "model.schema.json", "model: churn\ntask: regression\nfeatureSet: customer@1\nlabel: { column: churn }\ndata: { path: d.csv, digest: sha256:12 }\ntrainer: { name: sdca }\n", "'sha256:12' does not match" },
        { "model.schema.json", "model: churn\ntask: regression\nfeatureSet: customer@1\nlabel: { column: churn }\ndata: { path: d.csv, digest: \"sha256:" + Digest + "\", split: { holdout: 0.95 } }\ntrainer: { name: sdca }\n", "0.95 is greater than the maximum of 0.9" },
        { "environment.schema.json", "environment: production\nmodels:\n  - { model: churn, version: 1, digest: \"sha256:" + Digest + "\", canary: { version: 2, digest: \"sha256:" + Digest + "\", weight: 150 } }\n", "150 is greater than the maximum of 100" },
        { "environment.schema.json", "environment: production\nmonitoring:\n  alerts: [{ when: p99 >> 5 }]\n", "'p99 >> 5' does not match" },
        { "environment.schema.json", "environment: production\nmonitoring: { window: 1 hour }\n", "'1 hour' does not match" },
        { "environment.schema.json", "environment: production\nmonitoring: { alerts: [{ when: pdrift }] }\n", "'pdrift' does not match" },
        { "environment.schema.json", "environment: production\nmonitoring: { alerts: [{ when: latency > 20 }] }\n", "'latency > 20' does not match" },
        { "environment.schema.json", "environment: production\nmonitoring: { alerts: [{ when: drift, for: 5 minutes }] }\n", "'5 minutes' does not match" },
        { "environment.schema.json", "environment: production\nmonitoring: { alerts: [{ when: drift, notify: \"ftp://x/y\" }] }\n", "'ftp://x/y' does not match" },
    };

    [Fact]
    public async Task BadFiles_FailValidation_EachWithTheOffendingValue()
    {
        await SkipUnlessPythonJsonSchemaAsync();
        var schemas = WriteSchemas();
        var files = new List<(string File, string Message)>();
        var pairs = new List<string>();
        foreach (var row in BadFiles())
        {
            var (schema, yaml, message) = row.Data;
            var file = _temp.Write($"bad/{files.Count}.yaml", yaml);
            files.Add((file, message));
            pairs.AddRange([Path.Combine(schemas, schema), file]);
        }

        // One interpreter for all files: starting Python is the slow part.
        var (exitCode, output) = await RunPythonAsync(pairs);

        Assert.Equal(1, exitCode);
        var lines = output.Split('\n');
        Assert.All(files, f =>
        {
            var findings = lines.Where(l => l.StartsWith(f.File + ": ", StringComparison.Ordinal)).ToList();
            Assert.DoesNotContain(f.File + ": ok", findings);
            Assert.Contains(findings, l => l.Contains(f.Message, StringComparison.Ordinal));
        });
    }

    private const string Digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private string WriteSchemas()
    {
        foreach (var (fileName, json) in JsonSchemaWriter.All())
        {
            _temp.Write($"schemas/{fileName}", json);
        }

        return Path.Combine(_temp.Path, "schemas");
    }

    private static async Task SkipUnlessPythonJsonSchemaAsync()
    {
        var available = await Python.CanImportAsync("jsonschema, yaml").WaitAsync(TestContext.Current.CancellationToken);

        // CI must run it: .ci/run checks the modules, so a missing one fails there instead of skipping.
        Assert.False(!available && Python.Required, "python3 with the jsonschema and yaml modules is not installed, and CI=true does not skip; see .ci/run.");
        Assert.SkipUnless(available, "python3 with the jsonschema and yaml modules is not installed.");
    }

    private static Task<(int ExitCode, string Output)> RunPythonAsync(IEnumerable<string> arguments) =>
        Python.RunAsync(["-c", Script, .. arguments], TestContext.Current.CancellationToken);
}
