using System.Text;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Tests.Schema;

public sealed class JsonSchemaWriterTests
{
    private const string UpdateVariable = "MLOPS_UPDATE_SCHEMAS";

    /// <summary>
    /// docs/schemas/*.schema.json are generated; this test keeps them equal to <see cref="JsonSchemaWriter"/>.
    /// After changing <see cref="DeclarationSchemas"/>, run the tests once with MLOPS_UPDATE_SCHEMAS=1 and commit the files.
    /// </summary>
    [Fact]
    public void CommittedSchemas_EqualGeneratedOutput_ByteForByte()
    {
        var folder = RepositoryRoot.Combine("docs", "schemas");
        var update = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        foreach (var (fileName, json) in JsonSchemaWriter.All())
        {
            var path = Path.Combine(folder, fileName);
            var expected = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(json);
            if (update)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllBytes(path, expected);
            }

            Assert.True(File.Exists(path), $"docs/schemas/{fileName} is missing. Run the tests with {UpdateVariable}=1 and commit the file.");
            Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(path)),
                $"docs/schemas/{fileName} differs from DeclarationSchemas. Run the tests with {UpdateVariable}=1 and commit the file.");
        }
    }

    [Fact]
    public void All_ReturnsTheThreeFileFormats_WithSchemaIdAndTitle()
    {
        var schemas = JsonSchemaWriter.All();

        Assert.Equal(["feature-set.schema.json", "model.schema.json", "environment.schema.json"], schemas.Select(s => s.FileName));
        Assert.All(schemas, s =>
        {
            Assert.StartsWith("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n", s.Json, StringComparison.Ordinal);
            Assert.Contains($"\n  \"$id\": \"https://mlops.dev/schemas/{s.FileName}\",\n", s.Json, StringComparison.Ordinal);
            Assert.Contains("\n  \"title\": \"", s.Json, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void All_Output_HasLfLineEndingsAndTrailingNewline()
    {
        Assert.All(JsonSchemaWriter.All(), s =>
        {
            Assert.DoesNotContain('\r', s.Json);
            Assert.EndsWith("}\n", s.Json, StringComparison.Ordinal);
            Assert.DoesNotContain("\n\n", s.Json, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void All_CalledTwice_GivesTheSameText()
    {
        Assert.Equal(JsonSchemaWriter.All(), JsonSchemaWriter.All());
    }

    [Fact]
    public void Write_Object_ListsPropertiesRequiredAndForbidsOthers()
    {
        var schema = new ObjectSchema("A thing.",
        [
            new PropertySchema("name", new ScalarSchema("Its name.", ScalarKind.String), Required: true),
            new PropertySchema("size", new ScalarSchema("Its size.", ScalarKind.Integer)),
        ]);

        var json = JsonSchemaWriter.Write(schema, "thing.schema.json", "Thing");

        Assert.Equal(
            """
            {
              "$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://mlops.dev/schemas/thing.schema.json",
              "title": "Thing",
              "description": "A thing.",
              "type": "object",
              "properties": {
                "name": {
                  "description": "Its name.",
                  "type": "string"
                },
                "size": {
                  "description": "Its size.",
                  "type": "integer"
                }
              },
              "required": ["name"],
              "additionalProperties": false
            }

            """.ReplaceLineEndings("\n"),
            json);
    }

    [Fact]
    public void Write_ArrayAndMap_GiveItemsAndAdditionalProperties()
    {
        var schema = new ObjectSchema("Root.",
        [
            new PropertySchema("tags", new ArraySchema("Tags.", new ScalarSchema("A tag.", ScalarKind.String))),
            new PropertySchema("params", new MapSchema("Options.", new ScalarSchema("A value.", ScalarKind.Any))),
        ]);

        var json = JsonSchemaWriter.Write(schema, "root.schema.json", "Root");

        Assert.Contains(
            """
                "tags": {
                  "description": "Tags.",
                  "type": "array",
                  "items": {
                    "description": "A tag.",
                    "type": "string"
                  }
                },
                "params": {
                  "description": "Options.",
                  "type": "object",
                  "additionalProperties": {
                    "description": "A value.",
                    "type": ["string", "number", "boolean"]
                  }
                }
            """.ReplaceLineEndings("\n"),
            json,
            StringComparison.Ordinal);
        Assert.DoesNotContain("\"required\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_StringWithPattern_AnchorsTheWholeAlternation()
    {
        var schema = Root(new ScalarSchema("When.", ScalarKind.String, Pattern: @"drift|[a-z]+\s*>\s*[0-9]+"));

        var json = JsonSchemaWriter.Write(schema, "x.json", "X");

        Assert.Contains("\"pattern\": \"^(?:drift|[a-z]+\\\\s*>\\\\s*[0-9]+)$\"", json, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"string\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_StringWithAllowedValues_GivesEnum()
    {
        var schema = Root(new ScalarSchema("Type.", ScalarKind.String, AllowedValues: ["float", "int"]));

        var json = JsonSchemaWriter.Write(schema, "x.json", "X");

        Assert.Contains("\"type\": \"string\",\n      \"enum\": [\"float\", \"int\"]\n", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ScalarKind.Integer, 1.0, null, "\"type\": \"integer\",\n      \"minimum\": 1\n")]
    [InlineData(ScalarKind.Integer, 0.0, 100.0, "\"type\": \"integer\",\n      \"minimum\": 0,\n      \"maximum\": 100\n")]
    [InlineData(ScalarKind.Number, 0.01, 0.9, "\"type\": \"number\",\n      \"minimum\": 0.01,\n      \"maximum\": 0.9\n")]
    [InlineData(ScalarKind.Boolean, null, null, "\"type\": \"boolean\"\n")]
    public void Write_ScalarKind_GivesTypeAndRange(ScalarKind kind, double? minimum, double? maximum, string expected)
    {
        var json = JsonSchemaWriter.Write(Root(new ScalarSchema("V.", kind, Minimum: minimum, Maximum: maximum)), "x.json", "X");

        Assert.Contains(expected, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_DescriptionWithQuotesAndBackslash_IsEscaped()
    {
        var json = JsonSchemaWriter.Write(Root(new ScalarSchema("Say \"hi\" \\ bye\tnow", ScalarKind.String)), "x.json", "X");

        Assert.Contains("\"description\": \"Say \\\"hi\\\" \\\\ bye\\tnow\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void FeatureSetSchema_PositiveOfModel_AcceptsAnyScalarButEntityStaysString()
    {
        var model = JsonSchemaWriter.All().Single(s => s.FileName == "model.schema.json").Json;
        var featureSet = JsonSchemaWriter.All().Single(s => s.FileName == "feature-set.schema.json").Json;

        Assert.Matches("\"positive\": \\{\n\\s+\"description\": \"[^\"]+\",\n\\s+\"type\": \\[\"string\", \"number\", \"boolean\"\\]", model);
        Assert.Matches("\"entity\": \\{\n\\s+\"description\": \"[^\"]+\",\n\\s+\"type\": \"string\"\n", featureSet);
    }

    private static ObjectSchema Root(SchemaNode value) => new("Root.", [new PropertySchema("value", value)]);
}
