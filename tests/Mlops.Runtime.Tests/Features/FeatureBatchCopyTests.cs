using Mlops.Runtime.Tests.Monitoring.Predictions;

namespace Mlops.Runtime.Tests.Features;

/// <summary>The explicit copy the prediction log takes of a request's rows.</summary>
public sealed class FeatureBatchCopyTests
{
    [Fact]
    public void Copy_HoldsTheSameValues_AndDoesNotChangeWhenTheOriginalIsWrittenAgain()
    {
        var schema = LogTestData.Schema();
        var batch = LogTestData.Batch(schema, LogTestData.Row(tenure: 3, contract: "Two year", charges: null, email: "a@b.c"), LogTestData.Row(tenure: 4));

        var copy = batch.Copy();
        batch.SendNumbers(0)[0] = 99;
        batch.SendCodes(1)[0] = 0;
        batch.SendTexts(3)[0] = "changed";

        Assert.Equal(2, copy.RowCount);
        Assert.Equal(new Dictionary<string, object?> { ["tenure"] = 3f, ["contract"] = "Two year", ["total_charges"] = null, ["email"] = "a@b.c" }, copy.ToDictionary(0));
        Assert.Equal(4f, copy.NumberAt(0, 1));
    }

    [Fact]
    public void Copy_OfATake_HoldsOnlyItsRows()
    {
        var schema = LogTestData.Schema();
        var batch = LogTestData.Batch(schema, LogTestData.Row(tenure: 3), LogTestData.Row(tenure: 4, contract: "Two year"));

        var copy = batch.Take(1).Copy();

        Assert.Equal(1, copy.RowCount);
        Assert.Equal((3f, "One year"), (copy.NumberAt(0, 0), copy.TextAt(1, 0)));
    }

    [Fact]
    public void Copy_KeepsAnUndeclaredCategorysText()
    {
        var schema = new Mlops.Runtime.Features.InputSchema(
            [new Mlops.Runtime.Bundles.BundleInput("contract", Mlops.Declarations.FeatureSets.FeatureType.Category, false, ["a", "b"]) { OnUnknown = Mlops.Declarations.FeatureSets.UnknownCategoryPolicy.Ignore }]);
        var batch = TestBatches.Of(schema, new Dictionary<string, object?> { ["contract"] = "zzz" }, new Dictionary<string, object?> { ["contract"] = "b" });

        var copy = batch.Copy();

        Assert.Equal(["zzz", "b"], copy.Texts(0).ToArray());
    }
}
