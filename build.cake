// `dotnet cake` runs the MLOps pipeline on this repository's declarations.
// Every stage calls the `mlops` CLI, so what CI runs is what a developer can run by hand.
//   dotnet cake                      the whole pipeline
//   dotnet cake --target=Validate    one stage (and what it depends on)
//   dotnet cake --model=churn        only one model
//   dotnet cake --environment=staging  where Gate and Promote aim (the default is staging)
//   dotnet cake --mlops=PATH/mlops.dll  run that CLI instead of publishing src/Mlops.Cli
//   dotnet cake --push=origin        push version tags and promotion branches (a merge pipeline; token: MLOPS_GIT_TOKEN)
//   dotnet cake --target=MonitorDemo  the example served with drifting traffic (build/demo.cake; README "See it work")
//
// Promote commits on a new branch promote/MODEL-vN-ENV; the pull request of that branch is the
// deployment approval. Pass --promote-on-current-branch=true in a merge pipeline that commits directly.
//
// The stages of the target run in one process, `mlops pipeline --through STAGE` (the same as
// running mlops validate, train, evaluate, gate, package and promote one after the other, but .NET
// starts once and the data is read and hashed once). The task --target names runs that command;
// the stage tasks before it stay in the graph, so --target and the task list keep their meaning.

var target = Argument("target", "Default");
var model = Argument("model", "");
var configuration = Argument("configuration", "Release");
var environment = Argument("environment", "staging");
var onCurrentBranch = Argument("promote-on-current-branch", false);
var push = Argument("push", "");
var cli = Argument("mlops", "");
var demoMinutes = Argument("demo-minutes", 10.0);
var demoWindow = Argument("demo-window-seconds", 20);
var demoPort = Argument("demo-port", 0);
var demoRate = Argument("demo-rate", 25.0);

#load "build/mlops.cake"
#load "build/demo.cake"

var mlopsDll = string.IsNullOrEmpty(cli) ? MlopsDll(configuration) : MakeAbsolute(File(cli)).FullPath;

// The last stage the target asks for; Default is the whole pipeline.
var through = string.Equals(target, "Default", StringComparison.OrdinalIgnoreCase) ? "Promote" : target;

// Runs the pipeline through this stage when it is the target's last stage; otherwise that run does its work.
void Stage(string stage)
{
    if (!string.Equals(stage, through, StringComparison.OrdinalIgnoreCase))
    {
        Verbose($"{stage} runs in 'mlops pipeline --through {through.ToLowerInvariant()}' (task {through}).");
        return;
    }

    var arguments = new List<string> { "pipeline", "--through", stage.ToLowerInvariant(), "--environment", environment, "--markdown", "artifacts/gate-report.md" };
    if (!string.IsNullOrEmpty(model))
    {
        arguments.Add(model);
    }

    if (onCurrentBranch)
    {
        arguments.Add("--on-current-branch");
    }

    if (!string.IsNullOrEmpty(push))
    {
        arguments.Add("--push");
        arguments.Add(push);
    }

    Mlops(mlopsDll, arguments.ToArray());
}

Task("Build")
    .Description("Publishes the mlops CLI from this repository's source (ReadyToRun, so each run starts fast).")
    .Does(() =>
    {
        if (string.IsNullOrEmpty(cli))
        {
            BuildMlops(configuration);
        }
        else
        {
            Information($"Using {mlopsDll} (--mlops); not publishing src/Mlops.Cli.");
        }
    });

Task("Validate")
    .Description("Checks every declaration, its references and its data (mlops validate).")
    .IsDependentOn("Build")
    .Does(() => Stage("Validate"));

Task("Train")
    .Description("Trains each model, or reuses its cached run when nothing that determines it changed (mlops train).")
    .IsDependentOn("Validate")
    .Does(() => Stage("Train"));

Task("Evaluate")
    .Description("Holdout metrics overall and per slice, latency, reference profile (mlops evaluate).")
    .IsDependentOn("Train")
    .Does(() => Stage("Evaluate"));

Task("Gate")
    .Description("Checks each model against its gate and the environment's requirements (mlops gate); the report goes to artifacts/gate-report.md.")
    .IsDependentOn("Evaluate")
    .Does(() => Stage("Gate"));

Task("Package")
    .Description("Bundles each model, stores it by digest and registers it as MODEL@vN (mlops package).")
    .IsDependentOn("Gate")
    .Does(() => Stage("Package"));

Task("Promote")
    .Description("Promotes each model's latest version to the environment with a commit (mlops promote).")
    .IsDependentOn("Package")
    .Does(() => Stage("Promote"));

Task("Default")
    .IsDependentOn("Promote");

Task("MonitorDemo")
    .Description("Releases the example in a throwaway clone, serves it on 127.0.0.1 with short monitoring windows and replays normal, then drifted rows, for --demo-minutes (default 10) or until Ctrl+C.")
    .IsDependentOn("Build")
    .Does(() => MonitorDemo(mlopsDll, demoWindow, demoMinutes, demoPort, demoRate));

RunTarget(target);
