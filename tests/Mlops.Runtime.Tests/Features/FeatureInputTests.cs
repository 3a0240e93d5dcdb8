using System.Text.Json;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Tests.Features;

/// <summary>The value rules, one input kind at a time; every entry point reads values through them.</summary>
public sealed class FeatureInputTests
{
    private static readonly FeatureInput s_float = new("tenure", 0, FeatureType.Float, false, [], UnknownCategoryPolicy.Reject, 0, 120);
    private static readonly FeatureInput s_int = new("children", 0, FeatureType.Int, true, [], UnknownCategoryPolicy.Reject, null, null);
    private static readonly FeatureInput s_bool = new("partner", 0, FeatureType.Bool, true, [], UnknownCategoryPolicy.Reject, null, null);
    private static readonly FeatureInput s_category = new("contract", 0, FeatureType.Category, false, ["Month-to-month", "One year"], UnknownCategoryPolicy.Reject, null, null);
    private static readonly FeatureInput s_ignoring = new("contract", 0, FeatureType.Category, true, ["Month-to-month", "One year"], UnknownCategoryPolicy.Ignore, null, null);

    [Theory]
    [InlineData("12", 12f)]
    [InlineData("-0.5e1", -5f)]
    [InlineData("+7.25", 7.25f)]
    [InlineData(".5", 0.5f)]
    [InlineData("1E2", 100f)]
    public void ReadText_NumberSpellings_GiveTheNumber(string text, float expected)
    {
        Assert.Null(new FeatureInput("x", 0, FeatureType.Float, false, [], UnknownCategoryPolicy.Reject, null, null).ReadText(text, out var value));
        Assert.Equal(expected, value.Number);
    }

    [Theory]
    [InlineData(" 12", "MLOPS0404")]
    [InlineData("12 ", "MLOPS0404")]
    [InlineData("1,000", "MLOPS0404")]
    [InlineData("0x10", "MLOPS0404")]
    [InlineData("NaN", "MLOPS0404")]
    [InlineData("Infinity", "MLOPS0404")]
    [InlineData("-Infinity", "MLOPS0404")]
    [InlineData("3.4e39", "MLOPS0404")]
    [InlineData("121", "MLOPS0405")]
    [InlineData("-1", "MLOPS0405")]
    [InlineData("", "MLOPS0407")]
    [InlineData("yes", "MLOPS0404")]
    public void ReadText_BadNumber_IsTheSameDiagnosticAsFromJson(string text, string id)
    {
        Assert.Equal(id, s_float.ReadText(text, out _)?.Id);
    }

    [Fact]
    public void ReadNumber_BeyondFloat_SaysSo()
    {
        var problem = s_float.ReadObject(3.4e39, out _);

        Assert.Equal("MLOPS0404", problem?.Id);
        Assert.Contains("beyond the range of a float", problem?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1f)]
    [InlineData("0", 0f)]
    [InlineData("true", 1f)]
    [InlineData("FALSE", 0f)]
    [InlineData("Yes", 1f)]
    [InlineData("no", 0f)]
    public void ReadText_BoolSpellings_GiveOneOrZero(string text, float expected)
    {
        Assert.Null(s_bool.ReadText(text, out var value));
        Assert.Equal(expected, value.Number);
    }

    [Theory]
    [InlineData("2")]
    [InlineData("y")]
    [InlineData(" true")]
    public void ReadText_OtherBoolText_IsRefused(string text)
    {
        Assert.Equal("MLOPS0404", s_bool.ReadText(text, out _)?.Id);
    }

    [Fact]
    public void ReadObject_BoolFromJsonAndClr_IsOneOrZero_NumbersAndStringsAreRefused()
    {
        Assert.Null(s_bool.ReadObject(true, out var clr));
        Assert.Null(s_bool.ReadJson(JsonDocument.Parse("false").RootElement, out var json));
        Assert.Equal((1f, 0f), (clr.Number, json.Number));
        Assert.Equal("MLOPS0404", s_bool.ReadObject(1, out _)?.Id);
        Assert.Equal("MLOPS0404", s_bool.ReadObject("yes", out _)?.Id);
    }

    [Theory]
    [InlineData(4.0, null)]
    [InlineData(4.5, "MLOPS0404")]
    public void ReadNumber_Int_MustBeWhole(double number, string? id)
    {
        Assert.Equal(id, s_int.ReadNumber(number, out _)?.Id);
        Assert.Equal(id, s_int.ReadText(number.ToString(System.Globalization.CultureInfo.InvariantCulture), out _)?.Id);
    }

    [Fact]
    public void ReadObject_EveryClrNumberType_IsANumber()
    {
        object[] numbers = [(byte)3, (short)3, 3, 3L, 3u, 3.0f, 3.0, 3m];
        foreach (var number in numbers)
        {
            Assert.Null(s_float.ReadObject(number, out var value));
            Assert.Equal(3f, value.Number);
        }
    }

    [Theory]
    [InlineData("\"3\"")]
    [InlineData("true")]
    [InlineData("[3]")]
    [InlineData("{}")]
    public void ReadJson_NotANumber_IsRefusedAsTheWrongType(string json)
    {
        Assert.Equal("MLOPS0404", s_float.ReadJson(JsonDocument.Parse(json).RootElement, out _)?.Id);
    }

    [Fact]
    public void ReadJson_NullAndMissing_AreOneRule()
    {
        Assert.Equal("MLOPS0407", s_float.ReadJson(JsonDocument.Parse("null").RootElement, out _)?.Id);
        Assert.Equal("MLOPS0407", s_float.ReadObject(null, out _)?.Id);
        Assert.Null(s_int.ReadObject(null, out var missing));
        Assert.True(float.IsNaN(missing.Number));
    }

    [Fact]
    public void ReadObject_NaNAndInfinity_AreRefused()
    {
        Assert.Equal("MLOPS0404", s_float.ReadObject(double.NaN, out _)?.Id);
        Assert.Equal("MLOPS0404", s_float.ReadObject(float.PositiveInfinity, out _)?.Id);
    }

    [Fact]
    public void ReadString_Category_GivesItsCode_AndIsExact()
    {
        Assert.Null(s_category.ReadString("One year", out var known));
        Assert.Equal(1, known.Code);
        Assert.Equal("MLOPS0406", s_category.ReadString("one year", out _)?.Id);
        Assert.Equal("MLOPS0406", s_category.ReadText(" One year", out _)?.Id);
        Assert.Equal("MLOPS0407", s_category.ReadString("", out _)?.Id);
        Assert.Equal("MLOPS0404", s_category.ReadObject(2, out _)?.Id);
    }

    [Fact]
    public void ReadString_UnknownCategory_WithOnUnknownIgnore_IsUndeclaredNotRefused()
    {
        Assert.Null(s_ignoring.ReadString("Weekly", out var value));

        Assert.Equal(FeatureBatch.UndeclaredCode, value.Code);
        Assert.Equal("Weekly", value.Text);
    }

    [Fact]
    public void ReadJson_StringWithALoneSurrogate_IsAProblemNotAnException()
    {
        var json = JsonDocument.Parse("\"\\ud800\"").RootElement;

        Assert.Equal("MLOPS0404", s_category.ReadJson(json, out _)?.Id);
    }

    [Fact]
    public void Quote_ControlCharactersAndLongValues_AreEscapedAndCut()
    {
        Assert.Equal("\"a\\n::error\"", FeatureInput.Quote("a\n::error"));
        Assert.Equal("\"" + new string('x', 40) + "\"...", FeatureInput.Quote(new string('x', 10_000_000)));
    }
}
