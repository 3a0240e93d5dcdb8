namespace Churn.Client;

/// <summary>
/// The input of the churn model. Its members come from features/customer.yaml (version 1): change a
/// feature's type there and code that sets it stops compiling; bind it to a version that does not
/// exist and MLOPS1002 says which do.
/// </summary>
[Mlops.FeatureSet("customer", 1)]
public partial record CustomerFeatures;
