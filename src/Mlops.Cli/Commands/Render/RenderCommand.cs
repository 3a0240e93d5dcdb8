using System.CommandLine;
using System.Text;
using Mlops.Cli.Commands.Promote;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.Schema;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Monitoring.Alerts;

namespace Mlops.Cli.Commands.Render;

/// <summary><c>mlops render alerts ENV [--output FILE]</c> and <c>mlops render k8s --environment ENV</c>: an environment's declarations rendered for other tools.</summary>
internal static class RenderCommand
{
    public static Command Create(CliContext context)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment (environments/ENV.yaml)." };
        var output = new Option<FileInfo>("--output") { Description = "Write the file here instead of to standard output." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var alerts = new Command("alerts", "Write the environment's alert rules as a Prometheus alerting-rules file (promtool check rules passes it).") { environment, output, repo };
        alerts.SetAction((parse, ct) => RenderAlertsAsync(context, PromotionErrors.Root(parse.GetValue(repo)), parse.GetValue(environment)!, parse.GetValue(output), ct));
        return new Command("render", "Render declarations for other tools.") { alerts, RenderKubernetesCommand.Create(context) };
    }

    /// <summary>The declarations and the named environment among them.</summary>
    /// <exception cref="UsageException">No environment of that name is declared.</exception>
    internal static async Task<(DeclarationSet Declarations, Declared<EnvironmentSpec> Environment)> LoadEnvironmentAsync(string root, string name, CancellationToken cancellationToken)
    {
        var declarations = await RepositoryLoader.LoadAsync(root, cancellationToken).ConfigureAwait(false);
        var environment = declarations.FindEnvironment(name)
            ?? throw new UsageException($"environment '{name}' is not declared in environments/{(declarations.Environments.Count == 0 ? "" : $" (declared: {string.Join(", ", declarations.Environments.Select(e => e.Value.Name))})")}. Pass the name of an environments/NAME.yaml file.");
        return (declarations, environment);
    }

    private static async Task<int> RenderAlertsAsync(CliContext context, string root, string name, FileInfo? output, CancellationToken cancellationToken)
    {
        var (declarations, environment) = await LoadEnvironmentAsync(root, name, cancellationToken).ConfigureAwait(false);

        // The rules come from this one file: its errors would drop rules silently, so they stop the rendering.
        var errors = declarations.Diagnostics.Where(d => d.Severity == Severity.Error && d.Location.Path == environment.Path).ToList();
        if (errors.Count > 0)
        {
            throw new CheckFailedException($"{environment.Path} has {errors.Count} error(s); fix them and render again", errors);
        }

        var text = PrometheusAlertRules.Write(environment.Value, environment.Path);
        if (output is null)
        {
            await context.Out.WriteAsync(text).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        try
        {
            await File.WriteAllTextAsync(output.FullName, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write '{output.FullName}': {e.Message.TrimEnd('.')}. Pass a writable path with --output.");
        }

        await context.Error.WriteLineAsync($"render alerts {name}: {environment.Value.Monitoring.Alerts.Count} rule(s) written to {output.FullName}").ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
