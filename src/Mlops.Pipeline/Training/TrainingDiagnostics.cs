using Mlops.Declarations.Diagnostics;

namespace Mlops.Pipeline.Training;

/// <summary>
/// The diagnostics of training, block MLOPS05xx. Data problems validation already finds (digest,
/// types, nulls) keep their MLOPS04xx ids; these are the ones only training can see. A retired id is
/// never reused.
/// </summary>
public static class TrainingDiagnostics
{
    /// <summary>MLOPS0501: <c>trainer.name</c> is not a trainer the framework knows.</summary>
    public static readonly DiagnosticDescriptor UnknownTrainer = new("MLOPS0501", "Trainer does not exist", Severity.Error);

    /// <summary>MLOPS0502: a key under <c>trainer.params</c> is not an option of the trainer.</summary>
    public static readonly DiagnosticDescriptor UnknownParameter = new("MLOPS0502", "Trainer parameter does not exist", Severity.Error);

    /// <summary>MLOPS0503: a trainer parameter has the wrong type or is out of range.</summary>
    public static readonly DiagnosticDescriptor InvalidParameter = new("MLOPS0503", "Trainer parameter value is not valid", Severity.Error);

    /// <summary>MLOPS0504: the training rows hold a single label value.</summary>
    public static readonly DiagnosticDescriptor SingleClassLabel = new("MLOPS0504", "Label has only one class", Severity.Error);

    /// <summary>MLOPS0505: a feature is missing in every training row.</summary>
    public static readonly DiagnosticDescriptor FeatureAllMissing = new("MLOPS0505", "Feature column is empty in every training row", Severity.Error);

    /// <summary>MLOPS0506: the split leaves no training rows or no holdout rows.</summary>
    public static readonly DiagnosticDescriptor NoRowsAfterSplit = new("MLOPS0506", "No rows left after the split", Severity.Error);

    /// <summary>MLOPS0507: the trainer exists, but not for the model's task.</summary>
    public static readonly DiagnosticDescriptor TrainerNotForTask = new("MLOPS0507", "Trainer does not support the task", Severity.Error);

    /// <summary>MLOPS0508: a value of <c>data.split.timeColumn</c> is neither a number nor a date.</summary>
    public static readonly DiagnosticDescriptor InvalidTimeValue = new("MLOPS0508", "Split time value is neither a number nor a date", Severity.Error);

    /// <summary>MLOPS0509: a regression label is not a number.</summary>
    public static readonly DiagnosticDescriptor LabelNotNumeric = new("MLOPS0509", "Regression label is not a number", Severity.Error);

    /// <summary>MLOPS0510: ML.NET failed while fitting, for a reason not traced to one parameter.</summary>
    public static readonly DiagnosticDescriptor TrainingFailed = new("MLOPS0510", "The trainer failed", Severity.Error);

    /// <summary>Every descriptor of the block, in id order.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
    [
        UnknownTrainer, UnknownParameter, InvalidParameter, SingleClassLabel, FeatureAllMissing,
        NoRowsAfterSplit, TrainerNotForTask, InvalidTimeValue, LabelNotNumeric, TrainingFailed,
    ];
}
