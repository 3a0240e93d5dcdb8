// The pipeline's Cake tasks: Validate -> Train -> Evaluate -> Gate -> Package -> Promote (and Default).
// Shared by this repository's build.cake and by every repository `mlops init` lays out (which gets a copy
// of this file), so both run the same stages the same way. The loading build.cake declares:
//   target, model, environment, onCurrentBranch, push   the command line's arguments
//   mlopsDll                                            what `dotnet` runs: a path to mlops.dll, or "mlops" (the local tool)
//   a task named Build                                  what must happen before the first stage (publish the CLI, or nothing)
//
// The stages of the target run in one process, `mlops pipeline --through STAGE` (the same as running
// mlops validate, train, evaluate, gate, package and promote one after the other, but .NET starts once and
// the data is read and hashed once). The task --target names runs that command; the stage tasks before it
// stay in the graph, so --target and the task list keep their meaning.

// The last stage the target asks for; Default is the whole pipeline.
string Through() => string.Equals(target, "Default", StringComparison.OrdinalIgnoreCase) ? "Promote" : target;

// Runs the pipeline through this stage when it is the target's last stage; otherwise that run does its work.
void Stage(string stage)
{
    var through = Through();
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

// Runs `dotnet DLL ARGS` with its standard output shown as it comes; its standard error (where the CLI says
// why it failed) is shown too, and its last "mlops: " line becomes the message Cake fails with.
void Mlops(string dll, params string[] arguments)
{
    var args = new ProcessArgumentBuilder().AppendQuoted(dll);
    foreach (var argument in arguments)
    {
        args.AppendQuoted(argument);
    }

    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = args, RedirectStandardError = true }, out _, out var errors);
    var lines = errors.ToList();
    foreach (var line in lines)
    {
        Console.Error.WriteLine(line);
    }

    if (exit != 0)
    {
        var reason = lines.LastOrDefault(l => l.StartsWith("mlops: ", StringComparison.Ordinal));
        throw new Exception($"mlops {string.Join(" ", arguments)} failed with exit code {exit}" + (reason is null ? "; its findings are printed above." : $": {reason["mlops: ".Length..]}"));
    }
}

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
