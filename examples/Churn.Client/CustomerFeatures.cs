using Microsoft.ML.Data;

namespace Churn.Client;

/// <summary>
/// The input of the churn model. Its members come from features/customer.yaml (version 1): change a
/// feature's type there and code that sets it stops compiling; bind it to a version that does not
/// exist and MLOPS1002 says which do.
/// </summary>
[Mlops.FeatureSet("customer", 1)]
public partial record CustomerFeatures
{
    /// <summary>
    /// DSL, Fiber optic or No. Written by hand to show that a bound type may hold its own members: the
    /// generator leaves this one alone and MLOPS1005 holds it to the declared type instead, so
    /// declaring internet_service a number in features/customer.yaml fails the build on this line
    /// (tests/Mlops.Analyzers.Tests/EndToEnd checks it). The column name is the feature's, as the
    /// trained model expects.
    /// </summary>
    [ColumnName("internet_service")]
    public string InternetService { get; set; } = "No";
}
