using Mlops.Declarations.FeatureSets;

namespace Mlops.Declarations.Tests.FeatureSets;

public sealed class FeatureSetReferenceTests
{
    [Theory]
    [InlineData("customer@3", "customer", 3)]
    [InlineData("telco-customer_2@12", "telco-customer_2", 12)]
    public void TryParse_WellFormed_ReturnsNameAndVersion(string text, string name, int version)
    {
        Assert.True(FeatureSetReference.TryParse(text, out var reference));
        Assert.Equal(new FeatureSetReference(name, version), reference);
    }

    [Theory]
    [InlineData("customer")]
    [InlineData("customer@0")]
    [InlineData("customer@v3")]
    [InlineData("Customer@3")]
    [InlineData("customer@3 ")]
    public void TryParse_Malformed_ReturnsFalse(string text) =>
        Assert.False(FeatureSetReference.TryParse(text, out _));
}
