// `dotnet cake` runs the MLOps pipeline on this repository's declarations.
// Every stage calls the `mlops` CLI, so what CI runs is what a developer can run by hand.
//   dotnet cake                      the whole pipeline
//   dotnet cake --target=Validate    one stage (and what it depends on)
//   dotnet cake --model=churn        only one model

var target = Argument("target", "Default");
var model = Argument("model", "");
var configuration = Argument("configuration", "Release");

#load "build/mlops.cake"

// The stage's arguments, with --model when one was asked for.
string[] WithModel(string stage) => string.IsNullOrEmpty(model) ? new[] { stage } : new[] { stage, model };

Task("Build")
    .Description("Builds the mlops CLI from this repository's source.")
    .Does(() => BuildMlops(configuration));

Task("Validate")
    .Description("Checks every declaration, its references and its data (mlops validate).")
    .IsDependentOn("Build")
    .Does(() => Mlops(configuration, "validate"));

Task("Train")
    .Description("Trains each model, or reuses its cached run when nothing that determines it changed (mlops train).")
    .IsDependentOn("Validate")
    .Does(() => Mlops(configuration, WithModel("train")));

Task("Evaluate")
    .Description("Holdout metrics overall and per slice, latency, reference profile (mlops evaluate).")
    .IsDependentOn("Train")
    .Does(() => Mlops(configuration, WithModel("evaluate")));

Task("Default")
    .IsDependentOn("Evaluate");

RunTarget(target);
