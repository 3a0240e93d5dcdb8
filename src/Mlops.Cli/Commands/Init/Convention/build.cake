// `dotnet cake` runs the MLOps pipeline on this repository's declarations with the mlops tool that
// .config/dotnet-tools.json pins (`dotnet tool restore` installs it), so CI and a developer run the same version.
//   dotnet cake                                   the whole pipeline: validate, train, evaluate, gate, package, promote
//   dotnet cake --target=Gate                     stop after a stage (and what it depends on)
//   dotnet cake --model=churn                     only one model
//   dotnet cake --environment=production          where Gate and Promote aim (the default is staging)
//   dotnet cake --promote-on-current-branch=true  commit the promotion on the checked-out branch (a merge pipeline)
//   dotnet cake --push=origin                     push version tags and promotion branches (token: MLOPS_GIT_TOKEN)
//
// Promote commits on a new branch promote/MODEL-vN-ENV; the pull request of that branch is the deployment approval.
// The stage tasks are in build/pipeline.cake, which mlops init wrote; upgrading the tool does not rewrite it.

var target = Argument("target", "Default");
var model = Argument("model", "");
var environment = Argument("environment", "staging");
var onCurrentBranch = Argument("promote-on-current-branch", false);
var push = Argument("push", "");

// `dotnet mlops`: the local tool from the manifest.
var mlopsDll = "mlops";

#load "build/pipeline.cake"

Task("Build")
    .Description("Nothing to build: the mlops tool comes from .config/dotnet-tools.json (dotnet tool restore).");

RunTarget(target);
