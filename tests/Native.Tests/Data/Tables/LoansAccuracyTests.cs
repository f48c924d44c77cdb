using System.Text.Json;
using Native.Numerics;
using Native.Tests.Support;
using Xunit.Abstractions;

namespace Native.Tests.Data.Tables;

/// <summary>
/// The proof on tests/data/loans (made by make_loans.py, which also recorded scikit-learn's accuracy on the same
/// split): a mixed table read with no preprocessing, held-out rows with unseen categories and blanks, and held-out accuracy
/// within a point of scikit-learn's pipeline with the same model.
/// </summary>
public sealed class LoansAccuracyTests(ITestOutputHelper output)
{
    private static readonly string Directory = Path.Combine(Mnist.RepositoryRoot(), "tests", "data", "loans");

    private static readonly TableOptions Options = new() { LabelColumns = ["default"] };

    [Fact]
    public void TheSchemaIsInferredFromTheRawTable()
    {
        FeaturePipeline pipeline = Table.Read(Path.Combine(Directory, "loans-train.csv"), Options).Pipeline;
        output.WriteLine(pipeline.Describe());
        Assert.Equal(ColumnKind.Ignored, pipeline.Columns[0].Kind);
        Assert.Contains("identifier", pipeline.Columns[0].Note);
        Assert.Equal(7, pipeline.Columns.Count(column => column.Kind == ColumnKind.Number));
        Assert.Equal(6, pipeline.Columns.Count(column => column.Kind == ColumnKind.Category));
        PipelineColumn purpose = pipeline.Columns[pipeline.IndexOf("purpose")];
        Assert.True(purpose.HasMissingSlot);
        Assert.Equal(10, purpose.Categories.Count);
        Assert.DoesNotContain("crypto", purpose.Categories);
        Assert.True(pipeline.Columns[pipeline.IndexOf("income")].Missing > 600);
    }

    [Fact]
    public void LogisticRegressionIsWithinAPointOfScikitLearns()
    {
        (TableData training, TableData test) = Read();
        var model = new LogisticRegression(training.Pipeline.Features);
        new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 30, BatchSize = 64, Seed = 1 }).Fit(training.StandardizedData);
        var trained = new TrainedModel(model, training.Metadata);

        double ours = Accuracy(trained, test.Data);
        double theirs = Recorded("logistic_regression");
        output.WriteLine($"held-out accuracy: Native {ours:F4}, scikit-learn {theirs:F4}");
        Assert.True(ours >= theirs - 0.01, $"Native {ours:F4}, scikit-learn {theirs:F4}");

        // The file's records through TableRowReader and TrainedModel's table-row calls give the same classes.
        using TableRowReader reader = TableRowReader.Open(Path.Combine(Directory, "loans-test.csv"), trained.Pipeline!);
        TableRow row = trained.CreateRow();
        int index = 0;
        while (reader.ReadRow(row))
        {
            Assert.Equal(trained.Model is IClassifier classifier ? classifier.PredictClass(trained.Pipeline!.Standardizer!.Transform(test.Data).Row(index)) : -1, trained.PredictClass(row));
            index++;
            if (index == 200)
            {
                break;
            }
        }
    }

    [Fact]
    public void APerceptronWithScikitLearnsDefaultsIsWithinAPointOfItsMultilayerPerceptron()
    {
        (TableData training, TableData test) = Read();
        int features = training.Pipeline.Features, batch = Math.Min(200, training.Data.Count);
        var model = new MultilayerPerceptron([features, 100, 2], Activation.Relu, seed: 1);
        var optimizer = new Adam(1e-3f) { WeightDecay = 1e-4f / batch };
        TrainingResult result = new Trainer(model, optimizer, new TrainerOptions { Epochs = 200, BatchSize = batch, Seed = 1 })
            .Fit(training.StandardizedData, callback: new TrainingLossPlateau(tolerance: 1e-4f, patience: 10));
        var trained = new TrainedModel(model, training.Metadata);

        double ours = Accuracy(trained, test.Data);
        double theirs = Recorded("mlp_classifier");
        output.WriteLine($"held-out accuracy: Native {ours:F4} after {result.Epochs} epochs, scikit-learn {theirs:F4}");
        Assert.True(ours >= theirs - 0.01, $"Native {ours:F4}, scikit-learn {theirs:F4}");
    }

    private static (TableData Training, TableData Test) Read()
    {
        TableData training = Table.Read(Path.Combine(Directory, "loans-train.csv"), Options);
        TableData test = Table.Read(Path.Combine(Directory, "loans-test.csv"), training.Pipeline, Options);
        Assert.Equal(training.Data.ClassNames, test.Data.ClassNames);
        return (training, test);
    }

    /// <summary>The accuracy of <paramref name="model"/> on rows encoded by its pipeline (the model standardizes inside).</summary>
    private static double Accuracy(TrainedModel model, Dataset data)
    {
        var predictor = new TrainedModel(model.Model, new ModelMetadata { Standardizer = model.Standardizer, ClassNames = model.ClassNames });
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            correct += predictor.PredictClass(data.Row(i)) == data.Labels[i] ? 1 : 0;
        }

        return (double)correct / data.Count;
    }

    private static double Recorded(string model)
    {
        using JsonDocument results = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "sklearn.json")));
        return results.RootElement.GetProperty(model).GetDouble();
    }

    /// <summary>scikit-learn's stopping rule for its perceptrons: the training loss has not improved by the tolerance for so many epochs.</summary>
    private sealed class TrainingLossPlateau(float tolerance, int patience) : ITrainingCallback
    {
        private float _best = float.PositiveInfinity;
        private int _without;

        public TrainingDecision OnEpoch(in EpochReport report)
        {
            if (report.TrainingLoss < _best - tolerance)
            {
                _best = report.TrainingLoss;
                _without = 0;
            }
            else if (++_without >= patience)
            {
                return TrainingDecision.Stop;
            }

            return TrainingDecision.Continue;
        }
    }
}
