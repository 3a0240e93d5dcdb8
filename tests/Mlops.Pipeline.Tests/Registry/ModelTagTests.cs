using Mlops.Declarations.FeatureSets;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Registry;

namespace Mlops.Pipeline.Tests.Registry;

public sealed class ModelTagTests
{
    [Theory]
    [InlineData("churn@v8", "churn", 8)]
    [InlineData("refs/tags/churn-rules@v12", "churn-rules", 12)]
    public void TryParseName_VersionTag_GivesModelAndVersion(string name, string model, int version)
    {
        Assert.True(ModelTag.TryParseName(name, out var parsedModel, out var parsedVersion));
        Assert.Equal((model, version), (parsedModel, parsedVersion));
    }

    [Theory]
    [InlineData("churn@v0")]
    [InlineData("churn@8")]
    [InlineData("Churn@v8")]
    [InlineData("churn@v08")]
    [InlineData("v1.0")]
    public void TryParseName_OtherTag_IsNotAVersion(string name) => Assert.False(ModelTag.TryParseName(name, out _, out _));

    [Fact]
    public void ParseMessage_OfFormatMessage_GivesBackEveryField()
    {
        var registration = new ModelRegistration("churn", "HEAD", ModelRegistryTests.BundleA)
        {
            FeatureSet = new FeatureSetReference("customer", 3),
            FeatureSetDigest = ModelRegistryTests.SchemaDigest,
            RunId = "run with spaces: and a colon",
            Metrics = [new("auc", 0.1 + 0.2) { Interval = new MetricInterval(0.1 + 0.05, 1.0 / 3) }, new("p99LatencyMs", 1.5e-3), new("f1: weird \"name\"", -1) { Interval = new MetricInterval(-2, -0.5) }],
        };

        var parsed = ModelTag.ParseMessage(ModelTag.FormatMessage(registration, 8));

        Assert.NotNull(parsed);
        Assert.Equal(("churn", 8, ModelRegistryTests.BundleA), (parsed.Model, parsed.Version, parsed.Bundle));
        Assert.Equal(registration.FeatureSet, parsed.FeatureSet);
        Assert.Equal(registration.FeatureSetDigest, parsed.FeatureSetDigest);
        Assert.Equal(registration.RunId, parsed.RunId);
        Assert.Equal(registration.Metrics, parsed.Metrics);
    }

    [Fact]
    public void FormatMessage_Body_IsValidYamlWithTheSameValues()
    {
        var registration = new ModelRegistration("churn", "HEAD", ModelRegistryTests.BundleA)
        {
            Metrics = [new("auc", 0.83), new("recall[contract=One year]", 0.5) { Interval = new MetricInterval(0.25, 0.75) }],
        };
        var message = ModelTag.FormatMessage(registration, 2);
        var body = message[(message.IndexOf("\n\n", StringComparison.Ordinal) + 2)..];

        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(body));
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        var metrics = (YamlDotNet.RepresentationModel.YamlMappingNode)root["metrics"];

        Assert.Equal(ModelRegistryTests.BundleA, root["bundle"].ToString());
        Assert.Equal("0.5", metrics["recall[contract=One year]"].ToString());
        var interval = (YamlDotNet.RepresentationModel.YamlSequenceNode)((YamlDotNet.RepresentationModel.YamlMappingNode)root["intervals"])["recall[contract=One year]"];
        Assert.Equal(["0.25", "0.75"], interval.Children.Select(c => c.ToString()));
    }

    [Fact]
    public void ParseMessage_WrittenBeforeIntervals_ReadsTheMetricsWithoutOne()
    {
        var parsed = ModelTag.ParseMessage($"churn v1: bundle x\n\nmodel: churn\nversion: 1\nbundle: {ModelRegistryTests.BundleA}\nmetrics:\n  auc: 0.8\n");

        Assert.NotNull(parsed);
        Assert.Equal([new ModelMetric("auc", 0.8)], parsed.Metrics);
        Assert.Null(parsed.Metrics[0].Interval);
    }

    [Fact]
    public void ParseMessage_WithoutBundle_IsNull() =>
        Assert.Null(ModelTag.ParseMessage("churn v1\n\nmodel: churn\nversion: 1\n"));
}
