using System.Text.Json;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Tests.Scoring;

public sealed class FeatureValuesTests
{
    public static TheoryData<object?, float> Numbers => new()
    {
        { 2.5, 2.5f },
        { 3, 3f },
        { 4L, 4f },
        { 1.5m, 1.5f },
        { true, 1f },
        { false, 0f },
        { "7.25", 7.25f },
        { "yes", 1f },
        { "No", 0f },
        { JsonDocument.Parse("12").RootElement, 12f },
        { JsonDocument.Parse("true").RootElement, 1f },
    };

    [Theory]
    [MemberData(nameof(Numbers))]
    public void TryToNumber_AcceptedValue_Converts(object? value, float expected)
    {
        Assert.True(FeatureValues.TryToNumber(value, out var number));
        Assert.Equal(expected, number);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void TryToNumber_MissingValue_IsNaN(object? value)
    {
        Assert.True(FeatureValues.TryToNumber(value, out var number));
        Assert.True(float.IsNaN(number));
    }

    [Theory]
    [InlineData("many")]
    [InlineData("NaN")]
    public void TryToNumber_NotANumber_Fails(object value)
    {
        Assert.False(FeatureValues.TryToNumber(value, out _));
    }

    [Theory]
    [InlineData("DE", "DE")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData(2, "2")]
    public void TryToText_AcceptedValue_Converts(object? value, string? expected)
    {
        Assert.True(FeatureValues.TryToText(value, out var text));
        Assert.Equal(expected, text);
    }
}
