using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Tests.Schema;

/// <summary>
/// Readers and schemas must agree: a key added to <see cref="DeclarationSchemas"/> without a reader, or a
/// reader asking for a key that is not in the schema, fails here. The kitchen-sink files use every key.
/// </summary>
public sealed class SchemaCoverageTests
{
    [Fact]
    public void KitchenSinks_ReadEveryPropertyOfEverySchema()
    {
        // By reference: two keys with equal descriptions (description, version, digest) are still two keys.
        var read = new HashSet<PropertySchema>(ReferenceEqualityComparer.Instance);

        FeatureSetParser.Parse("features/kitchen-sink.yaml", KitchenSink("feature-set.yaml"), read);
        ModelParser.Parse("models/kitchen-sink.yaml", KitchenSink("model.yaml"), read);
        ModelParser.Parse("models/kitchen-sink-cv.yaml", KitchenSink("model-cv.yaml"), read);
        ModelParser.Parse("models/kitchen-sink-auto.yaml", KitchenSink("model-auto.yaml"), read);
        EnvironmentParser.Parse("environments/kitchen-sink.yaml", KitchenSink("environment.yaml"), read);

        var all = Reachable();
        var unread = all.Where(p => !read.Contains(p.Key)).Select(p => p.Value).Order(StringComparer.Ordinal).ToList();
        var foreign = read.Where(p => !all.ContainsKey(p)).Select(p => p.Name).ToList();
        Assert.True(unread.Count == 0, $"Keys in DeclarationSchemas that no reader read (add a reader, or use the key in Schema/KitchenSink/): {string.Join(", ", unread)}");
        Assert.True(foreign.Count == 0, $"Keys read that DeclarationSchemas does not reach: {string.Join(", ", foreign)}");
    }

    [Fact]
    public void FeatureSetKitchenSink_Parses_WithoutDiagnostics()
    {
        var result = FeatureSetParser.Parse("features/kitchen-sink.yaml", KitchenSink("feature-set.yaml"));

        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Declaration);
    }

    [Theory]
    [InlineData("model.yaml")]
    [InlineData("model-cv.yaml")]
    public void ModelKitchenSink_Parses_WithoutDiagnostics(string file)
    {
        var result = ModelParser.Parse("models/kitchen-sink.yaml", KitchenSink(file));

        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Declaration);
    }

    [Fact]
    public void ModelAutoKitchenSink_Parses_WithoutDiagnostics()
    {
        var result = ModelParser.Parse("models/kitchen-sink-auto.yaml", KitchenSink("model-auto.yaml"));

        Assert.Empty(result.Diagnostics);
        Assert.Equal(12, result.Declaration!.Value.Trainer.Trials);
    }

    [Fact]
    public void EnvironmentKitchenSink_Parses_WithoutDiagnostics()
    {
        var result = EnvironmentParser.Parse("environments/kitchen-sink.yaml", KitchenSink("environment.yaml"));

        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Declaration);
    }

    [Fact]
    public void Reachable_CountsSharedGateRuleOnceAndEqualLookingKeysSeparately()
    {
        var all = Reachable();

        // The gate rule object is shared by model gates and canary analysis: its keys are the same objects.
        Assert.Single(all.Keys, p => ReferenceEquals(p, DeclarationSchemas.GateRule.Properties[0]));
        // "description" is written with the same text in four places, and each is its own key.
        Assert.Equal(4, all.Keys.Count(p => p.Name == "description"));
    }

    internal static string KitchenSink(string fileName) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schema", "KitchenSink", fileName));

    /// <summary>Every property of the three file formats, with the path it is first met at.</summary>
    private static Dictionary<PropertySchema, string> Reachable()
    {
        var found = new Dictionary<PropertySchema, string>(ReferenceEqualityComparer.Instance);
        Walk(DeclarationSchemas.FeatureSet, "features/", found);
        Walk(DeclarationSchemas.Model, "models/", found);
        Walk(DeclarationSchemas.Environment, "environments/", found);
        return found;
    }

    private static void Walk(SchemaNode node, string path, Dictionary<PropertySchema, string> found)
    {
        switch (node)
        {
            case ObjectSchema obj:
                foreach (var property in obj.Properties)
                {
                    var propertyPath = path.EndsWith('/') ? path + property.Name : $"{path}.{property.Name}";
                    if (found.TryAdd(property, propertyPath))
                    {
                        Walk(property.Schema, propertyPath, found);
                    }
                }

                break;
            case ArraySchema array:
                Walk(array.Items, path + "[]", found);
                break;
            case MapSchema map:
                Walk(map.Values, path + "{}", found);
                break;
        }
    }
}
