// `dotnet cake` runs the MLOps pipeline on this repository's declarations.
// Every stage calls the `mlops` CLI, so what CI runs is what a developer can run by hand.
//   dotnet cake                      the whole pipeline
//   dotnet cake --target=Validate    one stage (and what it depends on)
//   dotnet cake --model=churn        only one model

var target = Argument("target", "Default");
var model = Argument("model", "");
var configuration = Argument("configuration", "Release");

#load "build/mlops.cake"

Task("Build")
    .Description("Builds the mlops CLI from this repository's source.")
    .Does(() => BuildMlops(configuration));

Task("Validate")
    .Description("Checks every declaration, its references and its data (mlops validate).")
    .IsDependentOn("Build")
    .Does(() => Mlops(configuration, "validate"));

Task("Default")
    .IsDependentOn("Validate");

RunTarget(target);
