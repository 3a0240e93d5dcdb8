using Churn.Client;

if (args.Length != 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Churn.Client MODEL.zip   (the model.zip of a churn bundle, e.g. from mlops package)");
    return 2;
}

var customer = new CustomerFeatures
{
    Female = 1,
    SeniorCitizen = 0,
    Partner = 0,
    Dependents = 0,
    Tenure = 2,
    PhoneService = 1,
    MultipleLines = "No",
    InternetService = "Fiber optic",
    OnlineSecurity = "No",
    OnlineBackup = "No",
    DeviceProtection = "No",
    TechSupport = "No",
    StreamingTv = "Yes",
    StreamingMovies = "Yes",
    Contract = "Month-to-month",
    PaperlessBilling = 1,
    PaymentMethod = "Electronic check",
    MonthlyCharges = 95.5f,
    TotalCharges = 191f,
};

var prediction = new ChurnScorer(args[0]).Predict(Mlops.Models.Churn, customer);
Console.WriteLine($"{Mlops.Models.Churn} on {CustomerFeatures.FeatureSetName}@{CustomerFeatures.FeatureSetVersion}: leaves={prediction.WillLeave} p={prediction.Probability:0.000}");
return 0;
