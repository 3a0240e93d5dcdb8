using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Pipeline.Promotion;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Promotion;

/// <summary>
/// Each edit is compared, byte for byte, with a committed expected file in Promotion/Expected/. To accept new output
/// after a deliberate change, run the tests with MLOPS_ACCEPT_EXPECTED=1 and review the diff of Expected/ before committing.
/// </summary>
public sealed class EnvironmentFileEditorTests
{
    internal const string Digest8 = "sha256:8888888888888888888888888888888888888888888888888888888888888888";
    internal const string Digest9 = "sha256:9999999999999999999999999999999999999999999999999999999999999999";
    internal const string Schema3 = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    internal const string Schema4 = "sha256:4444444444444444444444444444444444444444444444444444444444444444";

    private static readonly FeatureSetReference s_customer3 = new("customer", 3);
    private static readonly FeatureSetReference s_customer4 = new("customer", 4);

    private static readonly Dictionary<string, Func<EnvironmentFileEditor, EnvironmentFileEditor>> s_edits = new()
    {
        ["promote-churn-v8"] = e => e.SetPin("churn", 8, Digest8, s_customer3, Schema3),
        ["promote-churn-v9-customer4"] = e => e.SetPin("churn", 9, Digest9, s_customer4, Schema4),
        ["promote-without-feature-set"] = e => e.SetPin("churn", 8, Digest8, null, null),
        ["add-upsell"] = e => e.SetPin("upsell", 1, Digest9, s_customer4, Schema4),
        ["canary-v8-10"] = e => e.SetCanary("churn", 8, Digest8, 10),
        ["canary-v9-50"] = e => e.SetCanary("churn", 9, Digest9, 50),
        ["shadow-v8"] = e => e.SetShadow("churn", 8, Digest8),
        ["complete-canary"] = e => e.CompleteCanary("churn", s_customer4, Schema4),
        ["abort-canary"] = e => e.RemoveCanary("churn"),
        ["shadow-then-remove"] = e => e.SetShadow("churn", 8, Digest8).RemoveShadow("churn"),
    };

    [Theory]
    [InlineData("staging", "promote-churn-v8")]
    [InlineData("production", "promote-churn-v8")]
    [InlineData("block-pins", "promote-churn-v9-customer4")]
    [InlineData("block-pins", "promote-without-feature-set")]
    [InlineData("block-pins", "add-upsell")]
    [InlineData("block-pins", "canary-v8-10")]
    [InlineData("block-pins", "shadow-v8")]
    [InlineData("flow-pins", "promote-churn-v9-customer4")]
    [InlineData("flow-pins", "add-upsell")]
    [InlineData("flow-pins", "canary-v8-10")]
    [InlineData("flow-pins", "shadow-then-remove")]
    [InlineData("empty-models", "promote-churn-v8")]
    [InlineData("no-models", "promote-churn-v8")]
    [InlineData("flow-list", "promote-churn-v8")]
    [InlineData("flow-list", "add-upsell")]
    [InlineData("canary", "canary-v9-50")]
    [InlineData("canary", "complete-canary")]
    [InlineData("canary", "abort-canary")]
    [InlineData("canary", "add-upsell")]
    public void Edit_ChangesOnlyTheLinesThatMustChange(string input, string edit)
    {
        var text = ReadInput(input);

        var edited = s_edits[edit](EnvironmentFileEditor.Parse($"environments/{input}.yaml", text));

        AssertExpected($"{input}.{edit}.yaml", edited.Text);
    }

    [Fact]
    public void SetPin_OnEmptyModels_ReparsesToExactlyThePinWritten()
    {
        var before = EnvironmentParser.Parse("environments/production.yaml", ReadInput("production")).Declaration!.Value;

        var edited = EnvironmentFileEditor.Parse("environments/production.yaml", ReadInput("production")).SetPin("churn", 8, Digest8, s_customer3, Schema3);

        var after = EnvironmentParser.Parse("environments/production.yaml", edited.Text);
        Assert.Empty(after.Diagnostics);
        var pin = Assert.Single(after.Declaration!.Value.Models);
        Assert.Equal((8, Digest8, s_customer3, Schema3, (CanarySpec?)null), (pin.Version, pin.Digest, pin.FeatureSet, pin.FeatureSetDigest, pin.Canary));
        Assert.Equal(before.Requires.Gates, after.Declaration.Value.Requires.Gates);
        Assert.Equal(before.Monitoring.Alerts, after.Declaration.Value.Monitoring.Alerts);
    }

    [Fact]
    public void SetPin_SameValues_LeavesTheTextUnchanged()
    {
        var text = ReadInput("canary");

        var edited = EnvironmentFileEditor.Parse("environments/canary.yaml", text)
            .SetPin("churn", 7, "sha256:7777777777777777777777777777777777777777777777777777777777777777", s_customer3, Schema3);

        Assert.Equal(text, edited.Text);
    }

    [Fact]
    public void SetPin_CrLfFile_KeepsCrLfLineBreaks()
    {
        var text = ReadInput("block-pins").Replace("\n", "\r\n", StringComparison.Ordinal);

        var edited = EnvironmentFileEditor.Parse("environments/block-pins.yaml", text).SetCanary("churn", 8, Digest8, 10);

        Assert.DoesNotContain("\n", edited.Text.Replace("\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(AssertExpectedText("block-pins.canary-v8-10.yaml").Replace("\n", "\r\n", StringComparison.Ordinal), edited.Text);
    }

    [Fact]
    public void RemoveCanary_WithoutCanary_SaysWhereAndWhy()
    {
        var editor = EnvironmentFileEditor.Parse("environments/block-pins.yaml", ReadInput("block-pins"));

        var error = Assert.Throws<EnvironmentEditException>(() => editor.RemoveCanary("churn"));

        Assert.StartsWith("environments/block-pins.yaml(8,5): model 'churn' has no canary in environments/block-pins.yaml, so there is none to remove.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetCanary_ModelNotPinned_IsRefused()
    {
        var editor = EnvironmentFileEditor.Parse("environments/staging.yaml", ReadInput("staging"));

        var error = Assert.Throws<EnvironmentEditException>(() => editor.SetCanary("churn", 8, Digest8, 10));

        Assert.Equal("environments/staging.yaml(5,9): model 'churn' is not pinned in environments/staging.yaml, so mlops cannot start a canary. Promote a version of it to this environment first.", error.Message);
    }

    [Fact]
    public void Parse_FileWithErrors_IsNotEditedAndListsThem()
    {
        var error = Assert.Throws<EnvironmentEditException>(() =>
            EnvironmentFileEditor.Parse("environments/bad.yaml", "environment: bad\nmodels:\n  - model: churn\n    version: seven\n    digest: sha256:1\n"));

        Assert.StartsWith("environments/bad.yaml has 2 errors, so it is not edited; fix them first (mlops validate):\n  environments/bad.yaml(4,14): error MLOPS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_FileWithAliases_IsRefused()
    {
        const string text = "environment: staging\ndescription: &name staging\nrequires: { promotedFrom: *name }\nmodels: []\n";

        var error = Assert.Throws<EnvironmentEditException>(() => EnvironmentFileEditor.Parse("environments/staging.yaml", text));

        Assert.Equal("environments/staging.yaml uses YAML that mlops does not edit (aliases, or more than one document). Write the values out in one document, or edit the file by hand.", error.Message);
    }

    internal static string ReadInput(string name) => File.ReadAllText(RepositoryRoot.Combine("tests", "Mlops.Pipeline.Tests", "Promotion", "Inputs", name + ".yaml"));

    internal static string ExpectedPath(string name) => RepositoryRoot.Combine("tests", "Mlops.Pipeline.Tests", "Promotion", "Expected", name);

    private static string AssertExpectedText(string name) => File.ReadAllText(ExpectedPath(name));

    internal static void AssertExpected(string name, string actual)
    {
        var path = ExpectedPath(name);
        if (Environment.GetEnvironmentVariable("MLOPS_ACCEPT_EXPECTED") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), $"{path} does not exist; run with MLOPS_ACCEPT_EXPECTED=1 to write it, then review it.");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
