using System.Globalization;
using System.Text;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Server.Tests.Ui;

/// <summary>
/// The standalone server on 127.0.0.1 serving two models of the small test model, each with a
/// reference sample: <c>churn</c>, whose contract takes undeclared categories (<c>onUnknown: ignore</c>)
/// and whose description holds HTML, and <c>churn-private</c>, whose contract is marked
/// <c>sensitive: hash</c> in its feature set.
/// </summary>
public sealed class ModelPageFixture : UiFixture
{
    /// <summary>The description of churn: markup that must show as text.</summary>
    public const string Description = "Predicts <b>churn</b> <script>alert(2)</script> & \"more\"";

    private static readonly string[] s_contracts = ["Month-to-month", "One year", "Two year"];

    protected override async Task PrepareAsync(LocalFolderStore store)
    {
        Repository.Write("features/customer.yaml", FeatureSet("customer", ""));
        Repository.Write("features/private.yaml", FeatureSet("private", ", sensitive: hash"));
        Repository.Write("models/churn.yaml", TestModels.ModelYaml("churn") + $"\ndescription: '{Description}'\n");
        Repository.Write("models/churn-private.yaml", TestModels.ModelYaml("churn-private").Replace("customer@1", "private@1", StringComparison.Ordinal));
        var churn = await PutAsync(store, "churn", TestModels.FeatureSet);
        var secret = await PutAsync(store, "churn-private", TestModels.FeatureSet with { Name = "private" });
        TestModels.WriteEnvironment(Repository, TestModels.Pin(churn, 1) + TestModels.Pin(secret, 1, "churn-private").Replace("customer@1", "private@1", StringComparison.Ordinal));
    }

    /// <summary>The monitor records off the request path: waits (at most 10 s) until the model page's open window holds the rows.</summary>
    public static async Task WaitForOpenRowsAsync(HttpClient client, string model, long rows)
    {
        var marker = $"data-rows=\"{rows.ToString(CultureInfo.InvariantCulture)}\" data-open=\"true\"";
        var html = "";
        for (var i = 0; i < 100; i++)
        {
            html = await client.GetStringAsync($"/ui/models/{model}", TestContext.Current.CancellationToken);
            if (html.Contains(marker, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        var open = html.IndexOf("data-open=\"true\"", StringComparison.Ordinal);
        Assert.Fail($"the open window of {model} did not reach {rows} rows: {(open < 0 ? "no open window" : html[Math.Max(0, open - 40)..open])}");
    }

    private static string FeatureSet(string name, string contract) => $$"""
        featureSet: {{name}}
        version: 1
        entity: customer_id
        features:
          - { name: tenure, type: float, min: 0 }
          - { name: contract, type: category, values: [Month-to-month, One year, Two year], onUnknown: ignore{{contract}} }
          - { name: total_charges, type: float, nullable: true }
        """;

    // The test model's bundle with a reference sample of 300 rows like its training rows.
    private static async Task<string> PutAsync(LocalFolderStore store, string model, Mlops.Declarations.FeatureSets.FeatureSet trainedOn)
    {
        var bundle = Bundle.Read(TestModels.Bundle(1, model, trainedOn: trainedOn));
        var sample = new StringBuilder("tenure,contract,total_charges\n");
        for (var i = 0; i < 300; i++)
        {
            sample.Append(CultureInfo.InvariantCulture, $"{i % 60},{s_contracts[i % 3]},{(i % 60) * 60}\n");
        }

        var bytes = Bundle.Write(bundle.Manifest, bundle.ModelBytes, new Dictionary<string, byte[]> { [ReferenceSample.EntryName] = Encoding.UTF8.GetBytes(sample.ToString()) });
        return await store.PutAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken);
    }
}
