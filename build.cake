// `dotnet cake` runs the MLOps pipeline on this repository's declarations.
// Every stage calls the `mlops` CLI, so what CI runs is what a developer can run by hand.
//   dotnet cake                      the whole pipeline
//   dotnet cake --target=Validate    one stage (and what it depends on)
//   dotnet cake --model=churn        only one model
//   dotnet cake --environment=staging  where Gate and Promote aim (the default is staging)
//
// Promote commits on a new branch promote/MODEL-vN-ENV; the pull request of that branch is the
// deployment approval. Pass --promote-on-current-branch=true in a merge pipeline that commits directly.

var target = Argument("target", "Default");
var model = Argument("model", "");
var configuration = Argument("configuration", "Release");
var environment = Argument("environment", "staging");
var onCurrentBranch = Argument("promote-on-current-branch", false);

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

Task("Gate")
    .Description("Checks each model against its gate and the environment's requirements (mlops gate).")
    .IsDependentOn("Evaluate")
    .Does(() =>
    {
        EnsureDirectoryExists("artifacts");
        Mlops(configuration, WithModel("gate").Concat(new[] { "--environment", environment, "--markdown", "artifacts/gate-report.md" }).ToArray());
    });

Task("Package")
    .Description("Bundles each model, stores it by digest and registers it as MODEL@vN (mlops package).")
    .IsDependentOn("Gate")
    .Does(() => Mlops(configuration, WithModel("package")));

Task("Promote")
    .Description("Promotes each model's latest version to the environment with a commit (mlops promote).")
    .IsDependentOn("Package")
    .Does(() =>
    {
        foreach (var name in ModelNames(model))
        {
            var arguments = new List<string> { "promote", name, "--to", environment };
            if (onCurrentBranch)
            {
                arguments.Add("--on-current-branch");
            }

            Mlops(configuration, arguments.ToArray());
        }
    });

Task("Default")
    .IsDependentOn("Promote");

RunTarget(target);
