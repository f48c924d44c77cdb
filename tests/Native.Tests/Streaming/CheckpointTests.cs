using Native.Numerics;

namespace Native.Tests.Streaming;

/// <summary>Checkpoints: a run resumed from one ends bit for bit as the uninterrupted run, whatever the optimizer or the rows.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string, bool> Runs => new()
    {
        { "sgd", false },
        { "momentum", false },
        { "nesterov", true },
        { "adam", false },
        { "adam", true },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void AResumeAtAnEpochBoundaryEndsAsTheUninterruptedRun(string optimizer, bool streamed)
    {
        (Dataset training, Dataset test) = StreamingTrainingTests.Digits();
        float[] uninterrupted = Train(optimizer, streamed, training, test, epochs: 4, path: null, resume: false);

        // Two epochs with a checkpoint after each; then a new process's worth of objects resumes to four.
        string path = Path.Combine(_directory, "run.checkpoint");
        Train(optimizer, streamed, training, test, epochs: 2, path, resume: false);
        Assert.True(File.Exists(path));
        float[] resumed = Train(optimizer, streamed, training, test, epochs: 4, path, resume: true);
        Assert.Equal(uninterrupted, resumed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AResumeOfAFinishedRunWithoutValidationReportsWhereItStands(bool streamed)
    {
        (Dataset training, Dataset test) = StreamingTrainingTests.Digits();
        string path = Path.Combine(_directory, "run.checkpoint");
        float[] finished = Train("sgd", streamed, training, test, epochs: 2, path, resume: false);

        // Every epoch already done: nothing runs, no validation set is measured, and the parameters are the checkpoint's.
        float[] resumed = Train("sgd", streamed, training, test, epochs: 2, path, resume: true);
        Assert.Equal(finished, resumed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AResumeWithinAnEpochEndsAsTheUninterruptedRun(bool streamed)
    {
        (Dataset training, Dataset test) = StreamingTrainingTests.Digits();
        float[] uninterrupted = Train("adam", streamed, training, test, epochs: 3, path: null, resume: false);

        // A checkpoint after every step (an interval of one tick), and the run stopped partway through its second epoch,
        // as a kill would stop it: the last checkpoint is within the epoch (47 steps an epoch, then 20 more).
        string path = Path.Combine(_directory, "run.checkpoint");
        using var cancel = new CancellationTokenSource();
        int written = 0;
        CheckpointSchedule.Written = () =>
        {
            if (++written == 68)
            {
                cancel.Cancel();
            }
        };
        try
        {
            Assert.ThrowsAny<OperationCanceledException>(() => Train("adam", streamed, training, test, epochs: 3, path, resume: false, interval: TimeSpan.FromTicks(1), token: cancel.Token));
        }
        finally
        {
            CheckpointSchedule.Written = null;
        }

        float[] resumed = Train("adam", streamed, training, test, epochs: 3, path, resume: true);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void EarlyStoppingResumesWithItsBestEpoch()
    {
        (Dataset training, Dataset test) = StreamingTrainingTests.Digits();
        float[] uninterrupted = Train("momentum-fast", streamed: false, training, test, epochs: 10, path: null, resume: false, patience: 2);
        string path = Path.Combine(_directory, "run.checkpoint");
        Train("momentum-fast", streamed: false, training, test, epochs: 3, path, resume: false, patience: 2);
        float[] resumed = Train("momentum-fast", streamed: false, training, test, epochs: 10, path, resume: true, patience: 2);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void ACheckpointOfAnotherRunIsRefusedNamingTheDifference()
    {
        (Dataset training, Dataset test) = StreamingTrainingTests.Digits();
        string path = Path.Combine(_directory, "run.checkpoint");
        Train("adam", streamed: false, training, test, epochs: 1, path, resume: false);

        var model = new SoftmaxRegression(784, 10);
        var trainer = new Trainer(model, new Adam(0.002f), new TrainerOptions { Epochs = 2, BatchSize = 32, Seed = 99 });
        ArgumentException e = Assert.Throws<ArgumentException>(() => trainer.Resume(path, training));
        Assert.Contains("seed 7", e.Message);
        Assert.Contains("seed 99", e.Message);

        var momentum = new Trainer(new SoftmaxRegression(784, 10), new Momentum(0.05f), new TrainerOptions { Epochs = 2, BatchSize = 64, Seed = 7 });
        Assert.Contains("optimizer", Assert.Throws<ArgumentException>(() => momentum.Resume(path, training)).Message);

        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Throws<FileFormatException>(() => new Trainer(new SoftmaxRegression(784, 10), new Adam(0.002f), Options(1, null, false, TimeSpan.Zero, 0)).Resume(path, training));
    }

    [Fact]
    public void TheRefusalNamesTheWholeDataDescriptionOfEachRun()
    {
        // The same 40 rows streamed from a CSV file, then resumed as a Dataset: the data's description ("csv; label …")
        // has "; " of its own, and the message quotes it whole, parentheses balanced, against "(dataset)".
        string csv = Path.Combine(_directory, "rows.csv");
        float[] features = new float[80];
        int[] labels = new int[40];
        var text = new System.Text.StringBuilder("a,b,label\n");
        for (int i = 0; i < 40; i++)
        {
            features[2 * i] = i % 7;
            features[(2 * i) + 1] = i % 3;
            labels[i] = i % 2;
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i % 7},{i % 3},{i % 2}\n");
        }

        File.WriteAllText(csv, text.ToString());
        string path = Path.Combine(_directory, "csv.checkpoint");
        TrainerOptions Run(int epochs) => new() { Epochs = epochs, BatchSize = 8, Seed = 7, CheckpointPath = path, CheckpointEveryEpochs = 1 };
        using (RowSource rows = RowSource.Open(Csv.OpenRows(csv)))
        {
            new Trainer(new SoftmaxRegression(2, 2), new Adam(0.01f), Run(1)).Fit(rows);
        }

        var trainer = new Trainer(new SoftmaxRegression(2, 2), new Adam(0.01f), Run(2));
        string message = Assert.Throws<ArgumentException>(() => trainer.Resume(path, Dataset.FromLabels(features, 2, labels))).Message;
        Assert.Matches(@"it was saved with data 40 rows of 2 features, 2 classes \(csv; label [^()]*\), this run has data 40 rows of 2 features, 2 classes \(dataset\)\. ", message);
    }

    [Fact]
    public void TheOptimizersStateGoesOutAndComesBack()
    {
        float[] parameters = [1f, 2f, 3f], gradient = [0.5f, -1f, 2f];
        foreach (Func<Optimizer> create in new Func<Optimizer>[] { () => new Momentum(0.1f, 0.9f), () => new Momentum(0.1f, 0.5f, nesterov: true), () => new Adam(0.01f) })
        {
            Optimizer original = create();
            original.Bind(3);
            original.Step(parameters.AsSpan(), (float[])gradient.Clone());
            original.Step(parameters.AsSpan(), (float[])gradient.Clone());
            OptimizerState state = original.SaveStateForCheckpoint();

            Optimizer copy = create();
            copy.LoadStateFromCheckpoint(3, state);
            float[] a = (float[])parameters.Clone(), b = (float[])parameters.Clone();
            original.Step(a, (float[])gradient.Clone());
            copy.Step(b, (float[])gradient.Clone());
            Assert.Equal(a, b);
        }

        var adam = new Adam();
        adam.Bind(3);
        var wrong = new OptimizerState();
        wrong.Write("velocity", new float[3]);
        Assert.Contains("no optimizer state 'mean'", Assert.Throws<ArgumentException>(() => adam.LoadStateFromCheckpoint(3, wrong)).Message);
        var shorter = new OptimizerState();
        shorter.Write("velocity", new float[2]);
        Assert.Contains("has 2 values", Assert.Throws<ArgumentException>(() => new Momentum(0.1f).LoadStateFromCheckpoint(3, shorter)).Message);
    }

    private static TrainerOptions Options(int epochs, string? path, bool resume, TimeSpan interval, int patience) => new()
    {
        Epochs = epochs,
        BatchSize = 64,
        Seed = 7,
        CheckpointPath = path,
        CheckpointEveryEpochs = path is null ? 0 : 1,
        CheckpointInterval = interval,
        Resume = resume,
        Patience = patience,
    };

    private static float[] Train(string optimizer, bool streamed, Dataset training, Dataset test, int epochs, string? path, bool resume, TimeSpan interval = default, int patience = 0, CancellationToken token = default)
    {
        var model = new SoftmaxRegression(784, 10);
        Optimizer rule = optimizer switch
        {
            "sgd" => new GradientDescent(0.1f),
            "momentum" => new Momentum(0.05f),
            "momentum-fast" => new Momentum(0.5f, 0.9f),
            "nesterov" => new Momentum(0.05f, 0.9f, nesterov: true),
            _ => new Adam(0.002f),
        };
        var trainer = new Trainer(model, rule, Options(epochs, path, resume, interval, patience));
        if (!streamed)
        {
            trainer.Fit(training, patience > 0 ? test : null, null, token);
            return model.Parameters.ToArray();
        }

        using RowSource rows = RowSource.FromDataset(training);
        using RowSource held = RowSource.FromDataset(test);
        StreamingTrainingTests.LimitWindows(trainer, rows, 300_000);
        trainer.Fit(rows, patience > 0 ? held : null, null, token);
        return model.Parameters.ToArray();
    }

}
