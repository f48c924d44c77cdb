using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// How <see cref="TrainingToAccuracyBenchmarks"/>' settings were chosen: for each candidate setting of each trainer,
/// the test accuracy after each epoch (Native) or after a given iteration cap (ML.NET), and the time it took.
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- curves [MNIST-10k|digits]</c>.
/// </summary>
internal static class TrainingCurves
{
    public static void Print(string data)
    {
        (Dataset training, Dataset test) = AccuracyData.Get(data);
        double target = TrainingRecipes.Target(data);
        int epochs = data == AccuracyData.Mnist ? 30 : 60;
        Console.WriteLine($"{data}: {training.Count} training rows, {test.Count} test rows, target {target:P0}");
        var candidates = new (string Name, Func<IModel> Model, Func<Optimizer> Optimizer, int Batch)[]
        {
            ("softmax sgd 0.5 b64", Softmax, () => new GradientDescent(0.5f), 64),
            ("softmax sgd 0.5 b32", Softmax, () => new GradientDescent(0.5f), 32),
            ("softmax sgd 1.0 b64", Softmax, () => new GradientDescent(1f), 64),
            ("softmax sgd 0.2 b16", Softmax, () => new GradientDescent(0.2f), 16),
            ("softmax momentum 0.1/0.9 b64", Softmax, () => new Momentum(0.1f, 0.9f), 64),
            ("softmax momentum 0.2/0.9 b128", Softmax, () => new Momentum(0.2f, 0.9f), 128),
            ("softmax momentum 0.05/0.9 b32", Softmax, () => new Momentum(0.05f, 0.9f), 32),
            ("softmax adam 0.01 b32", Softmax, () => new Adam(0.01f), 32),
            ("softmax adam 0.02 b64", Softmax, () => new Adam(0.02f), 64),
            ("softmax adam 0.03 b128", Softmax, () => new Adam(0.03f), 128),
            ("perceptron momentum 0.05/0.9 b64", Perceptron, () => new Momentum(0.05f, 0.9f), 64),
            ("perceptron momentum 0.1/0.9 b128", Perceptron, () => new Momentum(0.1f, 0.9f), 128),
            ("perceptron momentum 0.2/0.9 b256", Perceptron, () => new Momentum(0.2f, 0.9f), 256),
            ("perceptron sgd 0.1 b32", Perceptron, () => new GradientDescent(0.1f), 32),
            ("perceptron sgd 0.2 b64", Perceptron, () => new GradientDescent(0.2f), 64),
            ("perceptron adam 0.003 b128", Perceptron, () => new Adam(0.003f), 128),
            ("perceptron adam 0.002 b64", Perceptron, () => new Adam(0.002f), 64),
        };

        // Warm up the code paths, so the first candidate's time is not the JIT's.
        new Trainer(Softmax(), new GradientDescent(0.1f), new TrainerOptions { Epochs = 2 }).Fit(training, validation: test);
        new Trainer(Perceptron(), new GradientDescent(0.1f), new TrainerOptions { Epochs = 2 }).Fit(training, validation: test);

        foreach (var (name, model, optimizer, batch) in candidates)
        {
            var trainer = new Trainer(model(), optimizer(), new TrainerOptions { Epochs = epochs, BatchSize = batch, Seed = 1 });
            var curve = new List<string>();
            trainer.Fit(training, validation: test, callback: new Curve(curve, target));
            Console.WriteLine($"{name,-34} {string.Join(" ", curve)}");
        }

        var ml = new MLContext(MlNet.Seed);
        IDataView mlTraining = MlNet.Load(ml, training), mlTest = MlNet.Load(ml, test);
        foreach (int iterations in new[] { 5, 10, 15, 20, 30, 40, 60, 100, int.MaxValue })
        {
            foreach (float l1 in new[] { 0f, 1f })
            {
                var options = new LbfgsMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = iterations, L1Regularization = l1, NumberOfThreads = 1 };
                Report($"ML.NET L-BFGS, L1 {l1}, {iterations} iterations", () => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(options).Fit(mlTraining), ml, mlTest);
            }
        }

        foreach (int? iterations in new int?[] { 1, 2, 3, 4, 6, 8, 12, null })
        {
            var options = new SdcaMaximumEntropyMulticlassTrainer.Options { MaximumNumberOfIterations = iterations, NumberOfThreads = 1 };
            Report($"ML.NET SDCA, {iterations?.ToString(CultureInfo.InvariantCulture) ?? "default"} iterations", () => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(options).Fit(mlTraining), ml, mlTest);
        }

        IModel Softmax() => TrainingRecipes.NewSoftmax(data);

        IModel Perceptron() => TrainingRecipes.NewPerceptron(data);
    }

    private static void Report(string name, Func<ITransformer> fit, MLContext ml, IDataView test)
    {
        long start = Stopwatch.GetTimestamp();
        ITransformer model = fit();
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        Console.WriteLine($"{name,-44} {MlNet.Accuracy(ml, model, test):P2} in {elapsed.TotalMilliseconds:F0} ms");
    }

    // The epoch that first reaches the target (training stops there), or the last; its accuracy and the time so far.
    private sealed class Curve(List<string> points, double target) : ITrainingCallback
    {
        private bool _reached;
        private float _best;

        public TrainingDecision OnEpoch(in EpochReport report)
        {
            bool first = !_reached && report.ValidationAccuracy >= target;
            _reached |= first;
            _best = Math.Max(_best, report.ValidationAccuracy);
            if (first || report.Epoch == report.Epochs)
            {
                points.Add(FormattableString.Invariant($"{(first ? "reached" : "ended")} at epoch {report.Epoch}: {report.ValidationAccuracy:P1} in {report.TotalElapsed.TotalMilliseconds:F0} ms (best {_best:P1})"));
            }

            return first ? TrainingDecision.Stop : TrainingDecision.Continue;
        }
    }
}
