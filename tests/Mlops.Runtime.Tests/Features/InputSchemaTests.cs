using System.Text.Json;
using Mlops.Runtime.Features;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Features;

public sealed class InputSchemaTests
{
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);

    private static List<string> Problems(string json, out FeatureBatch clean, out string? entity)
    {
        var problems = new List<string>();
        var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!.Select(p => KeyValuePair.Create(p.Key, (object?)p.Value));
        var keys = new string?[1];
        clean = s_schema.CheckRows([row], problems, keys, i => $"rows[{i}].");
        entity = keys[0];
        return problems;
    }

    [Fact]
    public void CheckRows_ValidRow_GivesCleanValuesAndTheEntityKey()
    {
        var problems = Problems("""{"customer_id": "c-7", "tenure": 3, "contract": "One year", "total_charges": null}""", out var clean, out var entity);

        Assert.Empty(problems);
        Assert.Equal("c-7", entity);
        var values = clean.ToDictionary(0);
        Assert.Equal(3f, values["tenure"]);
        Assert.Null(values["total_charges"]);
        Assert.Equal("One year", values["contract"]);
        Assert.False(values.ContainsKey("customer_id"));
    }

    [Theory]
    [InlineData("""{"tenure": "3", "contract": "One year"}""", "rows[0].tenure: MLOPS0404: expected a number, got \"3\".")]
    [InlineData("""{"contract": "One year"}""", "rows[0].tenure: MLOPS0407: is missing, but the feature is not nullable. Send a value.")]
    [InlineData("""{"tenure": null, "contract": "One year"}""", "rows[0].tenure: MLOPS0407: is missing, but the feature is not nullable. Send a value.")]
    [InlineData("""{"tenure": 3, "contract": "Weekly"}""", "rows[0].contract: MLOPS0406: \"Weekly\" is not a declared category (\"Month-to-month\", \"One year\", \"Two year\"), and the feature rejects others (onUnknown: reject).")]
    [InlineData("""{"tenure": 3, "contract": "One year", "tenur": 1}""", "rows[0].tenur: not a feature of this model. Did you mean 'tenure'?")]
    [InlineData("""{"tenure": [3], "contract": "One year"}""", "rows[0].tenure: MLOPS0404: expected a number, got a JSON array.")]
    [InlineData("""{"tenure": -1, "contract": "One year"}""", "rows[0].tenure: MLOPS0405: got -1, outside the declared range [0, any].")]
    public void CheckRows_WrongRow_NamesTheField(string json, string expected)
    {
        Assert.Equal([expected], Problems(json, out _, out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CheckRows_NamesInAnyOrderAndRepeated_GiveTheSameBatchAsDeclaredOrder(bool asDictionary)
    {
        var values = TestModels.Inputs.Select((input, i) => KeyValuePair.Create(input.Name, (object?)ValueFor(input, i))).ToList();
        // Reversed, with the first feature sent twice (the last value wins) and an unknown name between.
        var shuffled = Enumerable.Reverse(values).Append(KeyValuePair.Create("not_a_feature", (object?)1.0)).Append(values[0]).ToList();
        IEnumerable<KeyValuePair<string, object?>> Row(List<KeyValuePair<string, object?>> pairs) =>
            asDictionary ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value) : pairs;
        var inOrder = new List<string>();
        var outOfOrder = new List<string>();

        var expected = s_schema.CheckRows([Row(values)], inOrder).ToDictionary(0);
        var actual = s_schema.CheckRows([Row(shuffled)], outOfOrder).ToDictionary(0);

        Assert.Empty(inOrder);
        Assert.Equal(["not_a_feature: not a feature of this model. Remove it."], outOfOrder);
        Assert.Equal(expected, actual);
    }

    private static object? ValueFor(Mlops.Runtime.Bundles.BundleInput input, int i) =>
        input.Values is { Count: > 0 } categories ? categories[i % categories.Count] : (object)(double)(i + 1);

    [Fact]
    public void CheckRows_NaN_IsRefused()
    {
        var problems = new List<string>();

        s_schema.CheckRows([[KeyValuePair.Create("tenure", (object?)double.NaN), KeyValuePair.Create("contract", (object?)"One year")]], problems);

        Assert.Equal(["tenure: MLOPS0404: got NaN, which is not a finite number. Send a finite number."], problems);
    }

    [Fact]
    public void CheckRows_SeveralMissingFeatures_NamesThemInTheBundlesOrder()
    {
        var problems = new List<string>();

        s_schema.CheckRows([[]], problems);

        var required = TestModels.Inputs.Where(i => !i.Nullable).Select(i => $"{i.Name}: MLOPS0407: is missing, but the feature is not nullable. Send a value.");
        Assert.Equal(required, problems);
    }

    [Fact]
    public void ExampleBatch_PassesEveryRule()
    {
        var example = s_schema.ExampleBatch();
        var problems = new List<string>();

        s_schema.CheckRows([example.ToDictionary(0)!], problems);

        Assert.Empty(problems);
        Assert.Equal(1, example.RowCount);
    }

    [Fact]
    public void New_InputNamedTwice_IsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new InputSchema([.. TestModels.Inputs, TestModels.Inputs[0]]));

        Assert.Contains($"'{TestModels.Inputs[0].Name}' appears twice", error.Message, StringComparison.Ordinal);
    }
}
