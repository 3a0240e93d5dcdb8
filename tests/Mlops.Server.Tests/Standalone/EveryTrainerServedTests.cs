using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Training;

namespace Mlops.Server.Tests.Standalone;

/// <summary>
/// The standalone server (<c>dotnet Mlops.Server.dll</c>, its own process and build output) loads and
/// answers a bundle of every trainer the pipeline offers, binary, multiclass and regression.
/// </summary>
public sealed class EveryTrainerServedTests(EveryTrainerFixture fixture) : IClassFixture<EveryTrainerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Models => EveryTrainerFixture.ModelNames;

    [Fact]
    public void Fixture_EveryCatalogEntry_IsPinned()
    {
        Assert.Equal(TrainerCatalog.All.Count, fixture.Bundles.Count);
        Assert.Equal(
            TrainerCatalog.All.Select(t => EveryTrainerFixture.ModelName(t.Task, t.Name)).Order(StringComparer.Ordinal),
            fixture.Bundles.Select(b => b.Model).Order(StringComparer.Ordinal));
        Assert.Equal(fixture.Bundles.Count, fixture.Bundles.Select(b => b.Digest).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void ServerOutput_HoldsTheTrainersModelTypesButNotThePipelineNorNativeLightGbm()
    {
        var folder = Path.GetDirectoryName(StandaloneServer.ExecutablePath)!;
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("Mlops.Runtime.dll", files);
        Assert.Contains("Microsoft.ML.LightGbm.dll", files);
        Assert.Contains("Microsoft.ML.FastTree.dll", files);
        Assert.DoesNotContain("Mlops.Pipeline.dll", files);

        // The LightGBM bundles the theory below serves are therefore scored without lib_lightgbm (and libgomp1).
        Assert.DoesNotContain(files, f => f!.Contains("lib_lightgbm", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Infer_BundleOfEveryTrainer_AnswersFromThePinnedVersion(string model)
    {
        var pinned = fixture.Bundle(model);

        // In the north-east quadrant: binary x + y > 0 is "yes", multiclass "north-east", regression 3x - 2y + 1 (red) + 10 = 12.
        var body = new
        {
            inputs = new object[]
            {
                new { name = "x", shape = new[] { 1 }, datatype = "FP32", data = new[] { 0.8f } },
                new { name = "y", shape = new[] { 1 }, datatype = "FP32", data = new[] { 0.7f } },
                new { name = "z", shape = new[] { 1 }, datatype = "FP32", data = new[] { 0.5f } },
                new { name = "colour", shape = new[] { 1 }, datatype = "BYTES", data = new[] { "red" } },
                new { name = "flag", shape = new[] { 1 }, datatype = "BOOL", data = new[] { true } },
            },
        };

        using var response = await fixture.Client.PostAsJsonAsync($"/v2/models/{model}/infer", body, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {(int)response.StatusCode} {text}\nServer output:\n{fixture.Server.Output}");
        using var answer = JsonDocument.Parse(text);
        var root = answer.RootElement;
        Assert.Equal(model, root.GetProperty("model_name").GetString());
        Assert.Equal(pinned.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), root.GetProperty("model_version").GetString());
        Assert.Equal(pinned.Digest, root.GetProperty("parameters").GetProperty("bundle_digest").GetString());
        var predicted = root.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "predicted").GetProperty("data")[0];
        switch (pinned.Task)
        {
            case ModelTask.BinaryClassification:
                Assert.True(predicted.GetBoolean(), $"{model} predicted {predicted}");
                break;
            case ModelTask.MulticlassClassification:
                Assert.Equal("north-east", predicted.GetString());
                break;
            default:
                Assert.InRange(predicted.GetDouble(), 9.0, 15.0);
                break;
        }
    }

    [Fact]
    public async Task Infer_Multiclass_AnswersEveryClassProbabilityAsAnNByKTensorWithTheClassesNamed()
    {
        var model = EveryTrainerFixture.ModelName(ModelTask.MulticlassClassification, "lbfgs");
        var body = """
            {"inputs": [
              {"name": "x", "shape": [2], "datatype": "FP32", "data": [0.8, -0.8]},
              {"name": "y", "shape": [2], "datatype": "FP32", "data": [0.7, -0.7]},
              {"name": "colour", "shape": [2], "datatype": "BYTES", "data": ["red", "blue"]},
              {"name": "flag", "shape": [2], "datatype": "BOOL", "data": [true, false]}]}
            """;

        using var response = await fixture.Client.PostAsync($"/v2/models/{model}/infer", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        using var metadata = JsonDocument.Parse(await fixture.Client.GetStringAsync($"/v2/models/{model}", Ct));

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var answer = JsonDocument.Parse(text);
        var outputs = answer.RootElement.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(["predicted", "probabilities", "score"], outputs.Keys);
        var probabilities = outputs["probabilities"];
        var classes = probabilities.GetProperty("parameters").GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToList();
        Assert.Equal(["north-east", "north-west", "south-east", "south-west"], classes);
        Assert.Equal([2, 4], probabilities.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var values = probabilities.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(8, values.Length);
        for (var row = 0; row < 2; row++)
        {
            var of = values.AsSpan(row * 4, 4).ToArray();
            Assert.Equal(1f, of.Sum(), 3);
            var predicted = outputs["predicted"].GetProperty("data")[row].GetString();
            Assert.Equal(classes[Array.IndexOf(of, of.Max())], predicted);
            Assert.Equal(of.Max(), outputs["score"].GetProperty("data")[row].GetSingle());
        }

        Assert.Equal(["north-east", "south-west"], outputs["predicted"].GetProperty("data").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(classes, metadata.RootElement.GetProperty("parameters").GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        var declared = metadata.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "probabilities");
        Assert.Equal([-1, 4], declared.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
    }
}
