using System.Text.Json;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Tests.Serving;

public sealed class InputSchemaTests
{
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);

    private static List<string> Problems(string json, out Mlops.Runtime.Scoring.FeatureRow clean, out string? entity)
    {
        var problems = new List<string>();
        var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.Select(p => KeyValuePair.Create(p.Key, (object?)p.Value));
        clean = s_schema.Check(row, problems, out entity, "rows[0].");
        return problems;
    }

    [Fact]
    public void Check_ValidRow_GivesCleanValuesAndTheEntityKey()
    {
        var problems = Problems("""{"customer_id": "c-7", "tenure": 3, "contract": "One year", "total_charges": null}""", out var clean, out var entity);

        Assert.Empty(problems);
        Assert.Equal("c-7", entity);
        Assert.Equal(3f, clean["tenure"]);
        Assert.Null(clean["total_charges"]);
        Assert.False(clean.ContainsKey("customer_id"));
    }

    [Theory]
    [InlineData("""{"tenure": "3", "contract": "One year"}""", "rows[0].tenure: expected a number, got the string \"3\".")]
    [InlineData("""{"contract": "One year"}""", "rows[0].tenure: missing, and the feature is not nullable. Send a value.")]
    [InlineData("""{"tenure": null, "contract": "One year"}""", "rows[0].tenure: is null, but the feature is not nullable. Send a value.")]
    [InlineData("""{"tenure": 3, "contract": "Weekly"}""", "rows[0].contract: 'Weekly' is not a known category ('Month-to-month', 'One year', 'Two year'), and the feature set rejects unknown categories (onUnknown: reject).")]
    [InlineData("""{"tenure": 3, "contract": "One year", "tenur": 1}""", "rows[0].tenur: not a feature of this model. Did you mean 'tenure'?")]
    [InlineData("""{"tenure": [3], "contract": "One year"}""", "rows[0].tenure: expected a number, got a JSON array.")]
    public void Check_WrongRow_NamesTheField(string json, string expected)
    {
        Assert.Equal([expected], Problems(json, out _, out _));
    }

    [Fact]
    public void Check_NaN_IsRefused()
    {
        var problems = new List<string>();

        s_schema.Check([KeyValuePair.Create("tenure", (object?)double.NaN), KeyValuePair.Create("contract", (object?)"One year")], problems);

        Assert.Equal(["tenure: is NaN or infinite; send a finite number, or null when the feature is nullable."], problems);
    }

    [Fact]
    public void Check_SeveralMissingFeatures_NamesThemInTheBundlesOrder()
    {
        var problems = new List<string>();

        s_schema.Check([], problems);

        var required = TestModels.Inputs.Where(i => !i.Nullable).Select(i => $"{i.Name}: missing, and the feature is not nullable. Send a value.");
        Assert.Equal(required, problems);
    }

    [Fact]
    public void New_InputNamedTwice_IsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new InputSchema([.. TestModels.Inputs, TestModels.Inputs[0]]));

        Assert.Contains($"'{TestModels.Inputs[0].Name}' appears twice", error.Message, StringComparison.Ordinal);
    }
}
