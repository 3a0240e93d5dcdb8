using System.Globalization;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Tests.Features;

/// <summary>
/// The span readers a data file goes through (FeatureInput.ReadText over a span, CategoryLookup by
/// span, TextBatchWriter over records of spans) give what the string readers give: the rules stay one.
/// </summary>
public sealed class SpanReadingTests
{
    private static readonly string[] s_contracts = ["Month-to-month", "One year", "Two year"];

    // Five categories of one length: the lookup uses its frozen dictionary instead of the table by length.
    private static readonly string[] s_codes = ["AA", "AB", "AC", "AD", "AE", "Longer one"];

    public static TheoryData<string, string> Values()
    {
        var data = new TheoryData<string, string>();
        string[] texts =
        [
            "", "0", "12", "-0", "-0.0", "+7.25", ".5", "5.", "-.5", ".", "+", "-", "1E2", "-0.5e1", "3.4e39", "121", "-1", "29.85",
            "1889.5", "0.1", "123456789012345", "1234567890123456", "0.30000000000000004", " 12", "12 ", "1,000", "0x10", "NaN",
            "Infinity", "1", "true", "FALSE", "Yes", "no", "maybe", "Month-to-month", "One year", "one year", "Two years", "AA",
            "AE", "AF", "Longer one", "x\"y", "text with, a comma",
        ];
        foreach (var kind in new[] { "float", "int", "bool", "category", "codes", "ignoring", "text", "nullable" })
        {
            foreach (var text in texts)
            {
                data.Add(kind, text);
            }
        }

        return data;
    }

    private static FeatureInput Input(string kind) => kind switch
    {
        "float" => new FeatureInput("tenure", 0, FeatureType.Float, false, [], UnknownCategoryPolicy.Reject, 0, 120),
        "int" => new FeatureInput("children", 0, FeatureType.Int, false, [], UnknownCategoryPolicy.Reject, null, null),
        "bool" => new FeatureInput("partner", 0, FeatureType.Bool, false, [], UnknownCategoryPolicy.Reject, null, null),
        "category" => new FeatureInput("contract", 0, FeatureType.Category, false, s_contracts, UnknownCategoryPolicy.Reject, null, null),
        "codes" => new FeatureInput("code", 0, FeatureType.Category, false, s_codes, UnknownCategoryPolicy.Reject, null, null),
        "ignoring" => new FeatureInput("contract", 0, FeatureType.Category, true, s_contracts, UnknownCategoryPolicy.Ignore, null, null),
        "text" => new FeatureInput("note", 0, FeatureType.Text, false, [], UnknownCategoryPolicy.Reject, null, null),
        _ => new FeatureInput("total", 0, FeatureType.Float, true, [], UnknownCategoryPolicy.Reject, 0, null),
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void ReadText_SpanOfABuffer_GivesTheValueOrProblemTheStringGives(string kind, string text)
    {
        var input = Input(kind);
        var buffer = ("<<" + text + ">>").ToCharArray();

        var fromString = input.ReadText(text, out var stringValue);
        var fromSpan = input.ReadText(buffer.AsSpan(2, text.Length), out var spanValue);

        Assert.Equal(fromString, fromSpan);
        Assert.Equal(stringValue, spanValue);
    }

    [Fact]
    public void TryParseNumber_PlainDecimals_GiveExactlyTheDoubleOfDoubleTryParse()
    {
        var random = new Random(13);
        for (var i = 0; i < 200_000; i++)
        {
            var digits = random.Next(1, 18);
            var text = new char[digits];
            for (var d = 0; d < digits; d++)
            {
                text[d] = (char)('0' + random.Next(10));
            }

            var point = random.Next(-1, digits + 1);
            var spelled = (random.Next(3) switch { 0 => "-", 1 => "+", _ => "" })
                + (point < 0 ? new string(text) : new string(text, 0, point) + "." + new string(text, point, digits - point));
            var expected = double.TryParse(spelled, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var parsed);

            Assert.Equal(expected, FeatureInput.TryParseNumber(spelled, out var number));
            Assert.True(BitConverter.DoubleToInt64Bits(parsed) == BitConverter.DoubleToInt64Bits(number), $"'{spelled}': {number:R}, not {parsed:R}");
        }
    }

    /// <summary>Few categories of distinct lengths use the table by length; five of one length, the frozen dictionary.</summary>
    [Theory]
    [InlineData(false, "Month-to-month", 0)]
    [InlineData(false, "Two year", 2)]
    [InlineData(false, "Two yea", -1)]
    [InlineData(false, "", -1)]
    [InlineData(true, "AD", 3)]
    [InlineData(true, "Longer one", 5)]
    [InlineData(true, "AF", -1)]
    public void CodeOf_SpanOfABuffer_IsTheStringsCode(bool dictionary, string text, int code)
    {
        var lookup = new CategoryLookup(dictionary ? s_codes : s_contracts);

        Assert.Equal(code, lookup.CodeOf(("[" + text + "]").AsSpan(1, text.Length)));
        Assert.Equal(code, lookup.CodeOf(text));
    }

    [Fact]
    public void Write_RecordOfSpans_WritesTheBatchTheStringsWrite()
    {
        var schema = Schema();
        string[] header = ["contract", "tenure", "partner", "note"];
        string[][] rows = [["One year", "12", "yes", "a note"], ["Other", "", "0", "b"], ["Two year", "7.5", "1", "c"]];
        var fromStrings = new TextBatchWriter(schema, header, 4);
        var fromSpans = new TextBatchWriter(schema, header, 4);
        var problems = new List<string>();

        foreach (var row in rows)
        {
            Assert.Equal(fromStrings.Write(row, null), fromSpans.Write(new Record(row), (input, field, problem) => problems.Add($"{input.Name} {field} {problem.Id}")));
        }

        Assert.Equal(["tenure 1 MLOPS0407"], problems);
        var expected = fromStrings.Flush();
        var actual = fromSpans.Flush();
        Assert.Equal(2, actual.RowCount);
        for (var r = 0; r < actual.RowCount; r++)
        {
            Assert.Equal(expected.ToDictionary(r), actual.ToDictionary(r));
        }
    }

    [Fact]
    public void Recycle_FullBlockHandedBack_IsReusedAndKeepsNoValueOfItsLastRows()
    {
        var schema = Schema();
        string[] header = ["contract", "tenure", "partner", "note"];
        var writer = new TextBatchWriter(schema, header, 2);
        Assert.True(writer.Write(new Record(["Three years", "1", "1", "first"]), null));
        Assert.True(writer.Write(new Record(["One year", "2", "0", "second"]), null));
        var first = writer.Flush();
        Assert.Equal("Three years", first.Texts(schema.Inputs[0].Index)[0]); // texts made from the codes, and the undeclared one
        writer.Recycle(first);

        // The block after the first was made at its flush; the one after that is the first again.
        Assert.True(writer.Write(new Record(["One year", "3", "1", "third"]), null));
        Assert.True(writer.Write(new Record(["One year", "4", "0", "fourth"]), null));
        Assert.NotSame(first, writer.Flush());
        Assert.True(writer.Write(new Record(["Two year", "5", "1", "fifth"]), null));
        Assert.True(writer.Write(new Record(["One year", "6", "0", "sixth"]), null));
        var third = writer.Flush();

        Assert.Same(first, third);
        Assert.Equal(["Two year", "One year"], third.Texts(schema.Inputs[0].Index).ToArray());
        Assert.Equal([5f, 6f], third.Numbers(schema.Inputs[1].Index).ToArray());
        Assert.Equal(["fifth", "sixth"], third.Texts(schema.Inputs[3].Index).ToArray());
    }

    private static InputSchema Schema() => InputSchema.For(new FeatureSet("customer", 1, null, null,
    [
        new Feature("contract", FeatureType.Category, false, null, null, s_contracts, FillStrategy.None, UnknownCategoryPolicy.Ignore, FeatureSource.Data, null),
        new Feature("tenure", FeatureType.Float, false, 0, null, [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
        new Feature("partner", FeatureType.Bool, false, null, null, [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
        new Feature("note", FeatureType.Text, false, null, null, [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
    ]));

    /// <summary>A record whose fields are spans of one buffer, as a CSV reader hands them over.</summary>
    private sealed class Record : ITextRecord
    {
        private readonly char[] _buffer;
        private readonly (int Start, int Length)[] _fields;

        public Record(string[] fields)
        {
            _buffer = string.Join("|", fields).ToCharArray();
            _fields = new (int, int)[fields.Length];
            for (int i = 0, at = 0; i < fields.Length; at += fields[i].Length + 1, i++)
            {
                _fields[i] = (at, fields[i].Length);
            }
        }

        public int FieldCount => _fields.Length;

        public ReadOnlySpan<char> this[int field] => _buffer.AsSpan(_fields[field].Start, _fields[field].Length);
    }
}
