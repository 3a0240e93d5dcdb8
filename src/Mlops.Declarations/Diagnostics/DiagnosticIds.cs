using System.Collections.Generic;
using System.Linq;

namespace Mlops.Declarations.Diagnostics;

/// <summary>
/// Every diagnostic the file formats and the data checks report. Ids are grouped in blocks:
/// MLOPS00xx files and YAML, 01xx feature sets, 02xx models, 03xx environments, 04xx data,
/// 1xxx C# code against declarations (the analyzers). A retired id is never reused.
/// </summary>
public static class DiagnosticIds
{
    /// <summary>Where the id pages live (docs/diagnostics/ in the repository); an id's help link is this plus <c>ID.md</c>.</summary>
    public const string HelpLinkBase = "https://github.com/mlops-dotnet/mlops/blob/main/docs/diagnostics/";

    /// <summary>The help link of an id: its page in docs/diagnostics/. The analyzers, the SARIF output and the docs share it.</summary>
    /// <param name="id">A diagnostic id, <c>MLOPSnnnn</c>.</param>
    public static string HelpLink(string id) => HelpLinkBase + id + ".md";

    /// <summary>MLOPS0001.</summary>
    public static readonly DiagnosticDescriptor FileUnreadable = new("MLOPS0001", "File cannot be read", Severity.Error);
    /// <summary>MLOPS0002.</summary>
    public static readonly DiagnosticDescriptor YamlSyntax = new("MLOPS0002", "YAML syntax error", Severity.Error);
    /// <summary>MLOPS0003.</summary>
    public static readonly DiagnosticDescriptor EmptyFile = new("MLOPS0003", "Declaration file is empty", Severity.Error);
    /// <summary>MLOPS0004.</summary>
    public static readonly DiagnosticDescriptor BinaryFile = new("MLOPS0004", "Declaration file is not text", Severity.Error);
    /// <summary>MLOPS0005.</summary>
    public static readonly DiagnosticDescriptor FileTooLarge = new("MLOPS0005", "Declaration file is too large", Severity.Error);
    /// <summary>MLOPS0006.</summary>
    public static readonly DiagnosticDescriptor UnknownKey = new("MLOPS0006", "Unknown key", Severity.Warning);
    /// <summary>MLOPS0007.</summary>
    public static readonly DiagnosticDescriptor MissingKey = new("MLOPS0007", "Required key is missing", Severity.Error);
    /// <summary>MLOPS0008.</summary>
    public static readonly DiagnosticDescriptor WrongType = new("MLOPS0008", "Value has the wrong type", Severity.Error);
    /// <summary>MLOPS0009.</summary>
    public static readonly DiagnosticDescriptor InvalidValue = new("MLOPS0009", "Value is not allowed", Severity.Error);
    /// <summary>MLOPS0010.</summary>
    public static readonly DiagnosticDescriptor DuplicateKey = new("MLOPS0010", "Key appears twice", Severity.Error);
    /// <summary>MLOPS0011.</summary>
    public static readonly DiagnosticDescriptor MultipleDocuments = new("MLOPS0011", "File holds more than one YAML document", Severity.Error);

    /// <summary>MLOPS0101.</summary>
    public static readonly DiagnosticDescriptor DuplicateFeature = new("MLOPS0101", "Feature declared twice", Severity.Error);
    /// <summary>MLOPS0102.</summary>
    public static readonly DiagnosticDescriptor InvalidRange = new("MLOPS0102", "Minimum is above maximum", Severity.Error);
    /// <summary>MLOPS0103.</summary>
    public static readonly DiagnosticDescriptor CategoryWithoutValues = new("MLOPS0103", "Category feature lists no values", Severity.Error);
    /// <summary>MLOPS0104.</summary>
    public static readonly DiagnosticDescriptor OptionNotForType = new("MLOPS0104", "Option does not apply to the feature's type", Severity.Warning);
    /// <summary>MLOPS0105.</summary>
    public static readonly DiagnosticDescriptor DuplicateFeatureSetVersion = new("MLOPS0105", "Feature set version declared twice", Severity.Error);
    /// <summary>MLOPS0106.</summary>
    public static readonly DiagnosticDescriptor EntityIsFeature = new("MLOPS0106", "Entity key is also a feature", Severity.Error);

    /// <summary>MLOPS0201.</summary>
    public static readonly DiagnosticDescriptor UnknownFeatureSet = new("MLOPS0201", "Feature set does not exist", Severity.Error);
    /// <summary>MLOPS0202.</summary>
    public static readonly DiagnosticDescriptor UnknownFeatureSetVersion = new("MLOPS0202", "Feature set version does not exist", Severity.Error);
    /// <summary>MLOPS0203.</summary>
    public static readonly DiagnosticDescriptor MalformedReference = new("MLOPS0203", "Reference is not NAME@VERSION", Severity.Error);
    /// <summary>MLOPS0204.</summary>
    public static readonly DiagnosticDescriptor LabelIsFeature = new("MLOPS0204", "Label column is also a feature", Severity.Error);
    /// <summary>MLOPS0205.</summary>
    public static readonly DiagnosticDescriptor UnknownSlice = new("MLOPS0205", "Slice is not a category or boolean feature", Severity.Error);
    /// <summary>MLOPS0206.</summary>
    public static readonly DiagnosticDescriptor DuplicateModel = new("MLOPS0206", "Model declared twice", Severity.Error);
    /// <summary>MLOPS0207.</summary>
    public static readonly DiagnosticDescriptor PositiveLabelRequired = new("MLOPS0207", "Binary classification needs a positive label", Severity.Error);
    /// <summary>MLOPS0208.</summary>
    public static readonly DiagnosticDescriptor GateRuleWithoutComparison = new("MLOPS0208", "Gate rule compares nothing", Severity.Error);
    /// <summary>MLOPS0209.</summary>
    public static readonly DiagnosticDescriptor GateSliceNotDeclared = new("MLOPS0209", "Gate rule names an undeclared slice", Severity.Error);
    /// <summary>MLOPS0210.</summary>
    public static readonly DiagnosticDescriptor SplitColumnInvalid = new("MLOPS0210", "Split time column is not usable", Severity.Error);

    /// <summary>MLOPS0211.</summary>
    public static readonly DiagnosticDescriptor ModelFileName = new("MLOPS0211", "Model name differs from its file name", Severity.Warning);
    /// <summary>MLOPS0212.</summary>
    public static readonly DiagnosticDescriptor GateMetricNotMeasured = new("MLOPS0212", "Gate metric is not measured for the model", Severity.Error);
    /// <summary>MLOPS0213.</summary>
    public static readonly DiagnosticDescriptor GapRuleWithoutSlice = new("MLOPS0213", "Gap rule names no slice", Severity.Error);
    /// <summary>MLOPS0214: the split's holdout and folds leave nothing to evaluate on, or folds meet a time split.</summary>
    public static readonly DiagnosticDescriptor SplitNotUsable = new("MLOPS0214", "Split leaves no usable evaluation", Severity.Error);
    /// <summary>MLOPS0216: <c>params</c> with trainer auto, or <c>trials</c>/<c>trainers</c> without it.</summary>
    public static readonly DiagnosticDescriptor AutoTrainerOptions = new("MLOPS0216", "Trainer options do not fit trainer auto", Severity.Error);

    /// <summary>MLOPS0301.</summary>
    public static readonly DiagnosticDescriptor UnknownModel = new("MLOPS0301", "Model does not exist", Severity.Error);
    /// <summary>MLOPS0302.</summary>
    public static readonly DiagnosticDescriptor UnknownEnvironment = new("MLOPS0302", "Environment does not exist", Severity.Error);
    /// <summary>MLOPS0303.</summary>
    public static readonly DiagnosticDescriptor DuplicateEnvironment = new("MLOPS0303", "Environment declared twice", Severity.Error);
    /// <summary>MLOPS0304.</summary>
    public static readonly DiagnosticDescriptor DuplicatePin = new("MLOPS0304", "Model pinned twice in one environment", Severity.Error);
    /// <summary>MLOPS0305.</summary>
    public static readonly DiagnosticDescriptor CanaryAndShadow = new("MLOPS0305", "Canary and shadow on one model", Severity.Error);
    /// <summary>MLOPS0306.</summary>
    public static readonly DiagnosticDescriptor FallbackInvalid = new("MLOPS0306", "Fallback names neither a constant nor a model", Severity.Error);
    /// <summary>MLOPS0307.</summary>
    public static readonly DiagnosticDescriptor PinnedFeatureSetMismatch = new("MLOPS0307", "Pinned feature set differs from the model's", Severity.Warning);
    /// <summary>MLOPS0308.</summary>
    public static readonly DiagnosticDescriptor FeatureSetEditedInPlace = new("MLOPS0308", "Published feature set version was edited in place", Severity.Error);

    /// <summary>MLOPS0309.</summary>
    public static readonly DiagnosticDescriptor EnvironmentFileName = new("MLOPS0309", "Environment name differs from its file name", Severity.Warning);

    /// <summary>MLOPS0310: an alert's <c>when</c> names nothing an alert can watch, or compares it wrongly.</summary>
    public static readonly DiagnosticDescriptor AlertConditionUnknown = new("MLOPS0310", "Alert condition is not understood", Severity.Error);
    /// <summary>MLOPS0311: an alert's threshold or margin is not a number, or out of range.</summary>
    public static readonly DiagnosticDescriptor AlertThresholdInvalid = new("MLOPS0311", "Alert threshold is not a usable number", Severity.Error);
    /// <summary>MLOPS0312: an alert's <c>for</c> is not a duration.</summary>
    public static readonly DiagnosticDescriptor AlertDurationInvalid = new("MLOPS0312", "Alert duration is not valid", Severity.Error);
    /// <summary>MLOPS0313: an alert's <c>notify</c> is not an http, https or webhook URL.</summary>
    public static readonly DiagnosticDescriptor AlertNotifyInvalid = new("MLOPS0313", "Alert notify address is not a webhook URL", Severity.Error);
    /// <summary>MLOPS0314: an alert's <c>runbook</c> names no file in the repository (reported by <c>mlops validate</c>, which sees the files).</summary>
    public static readonly DiagnosticDescriptor RunbookMissing = new("MLOPS0314", "Runbook is not a file in the repository", Severity.Warning);

    /// <summary>MLOPS0401.</summary>
    public static readonly DiagnosticDescriptor DataFileMissing = new("MLOPS0401", "Data file does not exist", Severity.Error);
    /// <summary>MLOPS0402.</summary>
    public static readonly DiagnosticDescriptor DataDigestMismatch = new("MLOPS0402", "Data file does not match its digest", Severity.Error);
    /// <summary>MLOPS0403.</summary>
    public static readonly DiagnosticDescriptor MissingColumn = new("MLOPS0403", "Feature column missing from the data", Severity.Error);
    /// <summary>MLOPS0404.</summary>
    public static readonly DiagnosticDescriptor ValueTypeViolation = new("MLOPS0404", "Values do not have the declared type", Severity.Error);
    /// <summary>MLOPS0405.</summary>
    public static readonly DiagnosticDescriptor RangeViolation = new("MLOPS0405", "Values outside the declared range", Severity.Error);
    /// <summary>MLOPS0406.</summary>
    public static readonly DiagnosticDescriptor CategoryViolation = new("MLOPS0406", "Values not among the declared categories", Severity.Error);
    /// <summary>MLOPS0407.</summary>
    public static readonly DiagnosticDescriptor NullViolation = new("MLOPS0407", "Empty values in a feature not declared nullable", Severity.Error);
    /// <summary>MLOPS0408.</summary>
    public static readonly DiagnosticDescriptor LabelColumnMissing = new("MLOPS0408", "Label column missing from the data", Severity.Error);
    /// <summary>MLOPS0409.</summary>
    public static readonly DiagnosticDescriptor PositiveLabelAbsent = new("MLOPS0409", "Positive label value never occurs", Severity.Error);
    /// <summary>MLOPS0410.</summary>
    public static readonly DiagnosticDescriptor MalformedCsv = new("MLOPS0410", "Data file is not well-formed CSV", Severity.Error);
    /// <summary>MLOPS0411.</summary>
    public static readonly DiagnosticDescriptor NoDataRows = new("MLOPS0411", "Data file has no rows", Severity.Error);
    /// <summary>MLOPS0412.</summary>
    public static readonly DiagnosticDescriptor LabelNullViolation = new("MLOPS0412", "Empty label values", Severity.Error);
    /// <summary>MLOPS0413.</summary>
    public static readonly DiagnosticDescriptor DataPathOutsideRepository = new("MLOPS0413", "Data path leads outside the repository", Severity.Error);
    /// <summary>MLOPS0414.</summary>
    public static readonly DiagnosticDescriptor DataPathNotRegularFile = new("MLOPS0414", "Data path does not name a regular file", Severity.Error);
    /// <summary>MLOPS0415.</summary>
    public static readonly DiagnosticDescriptor DataNotInStore = new("MLOPS0415", "Data kept in the store cannot be fetched", Severity.Error);

    /// <summary>Every descriptor, in id order: the source of docs/diagnostics.md.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(DiagnosticIds)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Id, System.StringComparer.Ordinal)
        .ToList();
}
