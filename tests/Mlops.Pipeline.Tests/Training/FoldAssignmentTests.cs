using Mlops.Declarations.Models;
using Mlops.Pipeline.Training;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>How <see cref="TrainingData.AssignFolds"/> deals training rows into folds.</summary>
public sealed class FoldAssignmentTests
{
    [Fact]
    public async Task AssignFolds_Example_EachFoldsPositiveRateIsNearTheOverallRate()
    {
        var data = await LoadAsync(RepositoryRoot.Path, "churn");

        var folds = data.AssignFolds(5, 42);

        var positive = data.Model.Value.Label.Positive;
        var overall = data.Train.Count(r => data.Labels[r] == positive) / (double)data.Train.Length;
        for (var k = 0; k < 5; k++)
        {
            var rows = data.Train.Where((_, i) => folds[i] == k).ToArray();
            var rate = rows.Count(r => data.Labels[r] == positive) / (double)rows.Length;
            Assert.InRange(rate, overall - 0.005, overall + 0.005);
            Assert.InRange(rows.Length, (data.Train.Length / 5) - 5, (data.Train.Length / 5) + 5);
        }
    }

    [Fact]
    public async Task AssignFolds_Multiclass_EachClassIsSpreadEvenly()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.MulticlassClassification, "lbfgs", rows: 400);
        var data = await LoadAsync(repository.Path, "points");

        var folds = data.AssignFolds(4, 3);

        foreach (var label in data.Train.Select(r => data.Labels[r]).Distinct())
        {
            var perFold = Enumerable.Range(0, 4).Select(k => data.Train.Where((r, i) => folds[i] == k && data.Labels[r] == label).Count()).ToArray();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"{label}: {string.Join(", ", perFold)} rows per fold");
        }
    }

    [Fact]
    public async Task AssignFolds_EntityDeclared_NoEntityInTwoFolds()
    {
        using var repository = WithEntity(rowsPerEntity: 3);
        var data = await LoadAsync(repository.Path, "points");

        var folds = data.AssignFolds(5, 3);

        var byEntity = data.Train.Select((r, i) => (Entity: data.SplitKeys[r], Fold: folds[i])).GroupBy(p => p.Entity).ToList();
        Assert.True(byEntity.Count >= 60, $"{byEntity.Count} entities");
        Assert.All(byEntity, g => Assert.Single(g.Select(p => p.Fold).Distinct()));
        Assert.Contains(byEntity, g => g.Count() == 3);
        Assert.Equal(5, folds.Distinct().Count());
    }

    [Fact]
    public async Task AssignFolds_SameSeedAndShuffledFile_SameFoldPerRow()
    {
        using var shuffled = new ExampleRepository();
        var lines = shuffled.DataLines;
        var random = new Random(11);
        shuffled.Write("data/telco-churn.csv", string.Join('\n', [lines[0], .. lines.Skip(1).OrderBy(_ => random.Next())]) + "\n");
        shuffled.UpdateDataDigest();
        var original = await LoadAsync(RepositoryRoot.Path, "churn");
        var reordered = await LoadAsync(shuffled.Path, "churn");

        var first = FoldByKey(original, original.AssignFolds(5, 42));
        var again = FoldByKey(original, original.AssignFolds(5, 42));
        var fromShuffled = FoldByKey(reordered, reordered.AssignFolds(5, 42));

        Assert.Equal(first, again);
        Assert.Equal(first.Count, fromShuffled.Count);
        Assert.All(first, pair => Assert.Equal(pair.Value, fromShuffled[pair.Key]));
    }

    [Fact]
    public async Task AssignFolds_OtherSeed_OtherFolds()
    {
        var data = await LoadAsync(RepositoryRoot.Path, "churn");

        var seed42 = data.AssignFolds(5, 42);
        var seed7 = data.AssignFolds(5, 7);

        var moved = seed42.Zip(seed7).Count(p => p.First != p.Second) / (double)seed42.Length;
        Assert.InRange(moved, 0.6, 1.0); // by chance alone a row keeps its fold 1 time in 5
    }

    [Fact]
    public async Task Fold_OtherFoldsTrainAndThisOneIsHeldOut()
    {
        var data = await LoadAsync(RepositoryRoot.Path, "churn");
        var folds = data.AssignFolds(5, 42);

        var views = Enumerable.Range(0, 5).Select(k => data.Fold(folds, k)).ToArray();

        Assert.Equal(data.Train.Order(), views.SelectMany(v => v.Holdout).Order());
        Assert.All(views, v => Assert.Equal(data.Train.Length, v.Train.Length + v.Holdout.Length));
        Assert.All(views, v => Assert.Empty(v.Train.Intersect(v.Holdout)));
        Assert.All(views, v => Assert.Empty(v.Holdout.Intersect(data.Holdout)));
    }

    internal static async Task<TrainingData> LoadAsync(string root, string model)
    {
        var request = await TrainingRepository.RequestAsync(root, model);
        return await TrainingData.LoadAsync(root, request.Model, request.FeatureSet, TestContext.Current.CancellationToken);
    }

    /// <summary>The synthetic binary repository with an <c>id</c> entity column shared by <paramref name="rowsPerEntity"/> consecutive rows.</summary>
    internal static TempDirectory WithEntity(int rowsPerEntity)
    {
        var repository = TrainingRepository.Synthetic(ModelTask.BinaryClassification, "lbfgs", rows: 300);
        repository.Replace("features/points.yaml", "version: 1", "version: 1\nentity: id");
        var lines = repository.Read("data/points.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        repository.Write("data/points.csv", string.Join('\n', lines.Select((l, i) => (i == 0 ? "id" : $"e{(i - 1) / rowsPerEntity}") + "," + l)) + "\n");
        TrainingRepository.RefreshDigest(repository);
        return repository;
    }

    private static Dictionary<string, int> FoldByKey(TrainingData data, int[] folds)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < data.Train.Length; i++)
        {
            map[data.SplitKeys[data.Train[i]]] = folds[i];
        }

        return map;
    }
}
