using System.Globalization;
using Mlops.Declarations.Schema;

namespace Mlops.Pipeline.Training;

/// <summary>
/// One searched option of a trainer: its name in <c>trainer.params</c> and the range <c>trainer: auto</c> samples it
/// from. Samples are rounded to three significant digits, so a chosen value reads well in the run store and the
/// manifest and, written back as a parameter, binds to exactly the value that was cross-validated.
/// </summary>
/// <param name="Name">The option, as <c>trainer.params</c> names it.</param>
/// <param name="Low">The smallest value.</param>
/// <param name="High">The largest value.</param>
/// <param name="Integer">Whether the option takes whole numbers.</param>
/// <param name="LogScale">Whether values are drawn uniformly on a log scale (rates, regularisation, counts spanning decades).</param>
internal sealed record SearchRange(string Name, double Low, double High, bool Integer, bool LogScale)
{
    /// <summary>Draws one value: two draws of the same <see cref="Random"/> state give the same value on every machine.</summary>
    public ScalarValue Sample(Random random)
    {
        var u = random.NextDouble();
        var value = LogScale ? Math.Exp(Math.Log(Low) + (u * (Math.Log(High) - Math.Log(Low)))) : Low + (u * (High - Low));
        return Integer
            ? new ScalarValue(((long)Math.Round(Math.Clamp(value, Low, High))).ToString(CultureInfo.InvariantCulture), ScalarValueKind.Integer)
            : new ScalarValue(Math.Clamp(double.Parse(value.ToString("G3", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), Low, High)
                .ToString("R", CultureInfo.InvariantCulture), ScalarValueKind.Number);
    }

    /// <summary>The range as docs and the leaderboard describe it: <c>learningRate 0.02..0.3 (log)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} {Low}..{High}{(LogScale ? " (log)" : "")}");
}

/// <summary>
/// The hyperparameter space of <c>trainer: auto</c>, per catalog trainer (the same for every task). Only options
/// <c>trainer.params</c> can set are searched (LightGBM's regularisation lives in its nested Booster options, which it
/// cannot), so every chosen combination can be written in a model file as it is. The bounds keep one fit of the
/// example under a few seconds on two cores: a budget in trials must not turn into hours on a larger space.
/// See docs/training.md.
/// </summary>
internal static class SearchSpace
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<SearchRange>> s_spaces = new Dictionary<string, IReadOnlyList<SearchRange>>(StringComparer.Ordinal)
    {
        ["lightgbm"] =
        [
            Count("numberOfLeaves", 4, 64), Rate("learningRate", 0.02, 0.3),
            new("numberOfIterations", 50, 300, Integer: true, LogScale: false), Count("minimumExampleCountPerLeaf", 5, 100),
        ],
        ["fasttree"] =
        [
            Count("numberOfLeaves", 4, 64), Rate("learningRate", 0.02, 0.3),
            new("numberOfTrees", 50, 300, Integer: true, LogScale: false), Count("minimumExampleCountPerLeaf", 2, 100),
        ],
        ["fastforest"] =
        [
            Count("numberOfLeaves", 4, 64), new("numberOfTrees", 50, 300, Integer: true, LogScale: false),
            Count("minimumExampleCountPerLeaf", 2, 100), new("featureFraction", 0.5, 1, Integer: false, LogScale: false),
        ],
        ["lbfgs"] = [Rate("l1Regularization", 1e-4, 10), Rate("l2Regularization", 1e-4, 10)],
        ["sdca"] = [Rate("l1Regularization", 1e-4, 1), Rate("l2Regularization", 1e-4, 10)],
    };

    /// <summary>
    /// Options every trial of a trainer sets, its "defaults" trial included, so they are part of the chosen parameters too:
    /// one thread per fit (LightGBM and FastTree results then do not depend on the machine's core count, and on a busy
    /// machine their spinning thread pools cost ten times the single-threaded fit), and at most 30 passes for SDCA,
    /// whose own default ran 8 s a fit on the example against 1 s.
    /// </summary>
    public static IReadOnlyDictionary<string, ScalarValue> PinnedFor(TrainerInfo trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var pinned = new SortedDictionary<string, ScalarValue>(StringComparer.Ordinal) { ["numberOfThreads"] = new("1", ScalarValueKind.Integer) };
        if (trainer.Name == "sdca")
        {
            pinned["maximumNumberOfIterations"] = new("30", ScalarValueKind.Integer);
        }

        return pinned;
    }

    /// <summary>The searched options of <paramref name="trainer"/> in sampling order; empty for a trainer searched at its defaults only.</summary>
    public static IReadOnlyList<SearchRange> For(TrainerInfo trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return s_spaces.TryGetValue(trainer.Name, out var space) ? space : [];
    }

    private static SearchRange Count(string name, double low, double high) => new(name, low, high, Integer: true, LogScale: true);

    private static SearchRange Rate(string name, double low, double high) => new(name, low, high, Integer: false, LogScale: true);
}
