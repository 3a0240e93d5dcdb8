using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Training;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>The example churn model trained and evaluated once, shared by the tests that read it.</summary>
public sealed class ChurnModelFixture : IAsyncLifetime
{
    private readonly TempDirectory _output = new("mlops-churn");

    public TrainingRequest Request { get; private set; } = null!;

    public TrainingResult Training { get; private set; } = null!;

    public EvaluationReport Evaluation { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Request = await TrainingRepository.RequestAsync(RepositoryRoot.Path, "churn");
        Training = await new ModelTrainer().TrainAsync(Request, _output.Path, cancellationToken: TestContext.Current.CancellationToken);
        Evaluation = await new ModelEvaluator { LatencyPredictions = 1000 }.EvaluateAsync(
            TrainingRepository.Evaluation(Request, Training.ModelPath), cancellationToken: TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _output.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Shares one <see cref="ChurnModelFixture"/> between test classes: the example trains once for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class ChurnModelCollection : ICollectionFixture<ChurnModelFixture>
{
    public const string Name = "churn model";
}
