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
// The stage tasks (Validate to Promote) are build/pipeline.cake's, the same file `mlops init` gives every
// repository it lays out; this file adds the Build task that publishes the CLI from src/, and the demo.

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
#load "build/pipeline.cake"
#load "build/demo.cake"

var mlopsDll = string.IsNullOrEmpty(cli) ? MlopsDll(configuration) : MakeAbsolute(File(cli)).FullPath;

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

Task("MonitorDemo")
    .Description("Releases the example in a throwaway clone, serves it on 127.0.0.1 with short monitoring windows and replays normal, then drifted rows, for --demo-minutes (default 10) or until Ctrl+C.")
    .IsDependentOn("Build")
    .Does(() => MonitorDemo(mlopsDll, demoWindow, demoMinutes, demoPort, demoRate));

RunTarget(target);
