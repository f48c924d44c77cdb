using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// Each trainer of <see cref="TrainingToAccuracyBenchmarks"/> with its settings, per data set: the stated test accuracy
/// every trainer must reach, and for each the settings that reach it soonest (chosen from the candidates
/// <see cref="TrainingCurves"/> prints), plus ML.NET's trainers at their defaults. Everything on one thread, seeded.
/// </summary>
internal static class TrainingRecipes
{
    /// <summary>The benchmark methods, by name.</summary>
    public const string NativeSoftmax = "NativeSoftmax", NativePerceptron = "NativePerceptron", MlNetLbfgs = "MlNetLbfgs",
        MlNetSdca = "MlNetSdca", MlNetLbfgsDefaults = "MlNetLbfgsDefaults", MlNetSdcaDefaults = "MlNetSdcaDefaults";

    private static readonly ConcurrentDictionary<(string, string), double> s_accuracies = new();

    /// <summary>The test accuracy to reach: 90 % on MNIST-10k (softmax regression levels off at 91–92 % there), 95 % on digits (96–97 %).</summary>
    public static double Target(string data) => data == AccuracyData.Mnist ? 0.90 : 0.95;

    /// <summary>What <paramref name="method"/> runs on <paramref name="data"/>, in words.</summary>
    public static string Describe(string data, string method)
    {
        bool mnist = data == AccuracyData.Mnist;
        return method switch
        {
            NativeSoftmax => mnist ? "generated 784×10, momentum η 0.1 γ 0.9, batch 64, 3 epochs" : "generated 64×10, Adam η 0.02, batch 64, 7 epochs",
            NativePerceptron => mnist ? "generated 784-128-10 ReLU (He, seed 1), Adam η 0.002, batch 64, 1 epoch" : "generated 64-128-10 ReLU (He, seed 1), momentum η 0.05 γ 0.9, batch 64, 6 epochs",
            MlNetLbfgs => "L1 1, L2 1 (the defaults), at most 15 iterations",
            MlNetSdca => mnist ? "at most 3 passes over the data" : "at most 2 passes over the data",
            MlNetLbfgsDefaults => "defaults (L1 1, L2 1, tolerance 1e-7)",
            MlNetSdcaDefaults => "defaults (passes and L2 chosen by ML.NET)",
            _ => throw new ArgumentException($"No trainer '{method}'.", nameof(method)),
        };
    }

    /// <summary>Native's softmax regression for <paramref name="data"/>: the generated model of its shape, all zeros.</summary>
    public static IModel NewSoftmax(string data) => data == AccuracyData.Mnist ? new DigitModel() : new SmallDigitModel();

    /// <summary>Native's perceptron for <paramref name="data"/>: the generated ReLU model of its shape (hidden 128), He-initialized with seed 1.</summary>
    public static IModel NewPerceptron(string data)
    {
        if (data == AccuracyData.Mnist)
        {
            var net = new DigitNet();
            net.Initialize(seed: 1);
            return net;
        }

        var small = new SmallDigitNet();
        small.Initialize(seed: 1);
        return small;
    }

    /// <summary>Trains a new softmax regression on <paramref name="training"/> with Native's settings for <paramref name="data"/>.</summary>
    public static IClassifier TrainNativeSoftmax(string data, Dataset training)
    {
        bool mnist = data == AccuracyData.Mnist;
        IModel model = NewSoftmax(data);
        var options = new TrainerOptions { Epochs = mnist ? 3 : 7, BatchSize = 64, Seed = 1 };
        new Trainer(model, mnist ? new Momentum(0.1f, 0.9f) : new Adam(0.02f), options).Fit(training);
        return (IClassifier)model;
    }

    /// <summary>Trains a new perceptron on <paramref name="training"/> with Native's settings for <paramref name="data"/>.</summary>
    public static IClassifier TrainNativePerceptron(string data, Dataset training)
    {
        bool mnist = data == AccuracyData.Mnist;
        IModel model = NewPerceptron(data);
        var options = new TrainerOptions { Epochs = mnist ? 1 : 6, BatchSize = 64, Seed = 1 };
        new Trainer(model, mnist ? new Adam(0.002f) : new Momentum(0.05f, 0.9f), options).Fit(training);
        return (IClassifier)model;
    }

    /// <summary>Trains ML.NET's <c>LbfgsMaximumEntropy</c>, to the target or at its defaults.</summary>
    public static ITransformer TrainMlNetLbfgs(MLContext ml, IDataView training, string data, bool defaults)
    {
        var options = new LbfgsMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1 };
        if (!defaults)
        {
            options.MaximumNumberOfIterations = 15;
        }

        return ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(options).Fit(training);
    }

    /// <summary>Trains ML.NET's <c>SdcaMaximumEntropy</c>, to the target or at its defaults.</summary>
    public static ITransformer TrainMlNetSdca(MLContext ml, IDataView training, string data, bool defaults)
    {
        var options = new SdcaMaximumEntropyMulticlassTrainer.Options { NumberOfThreads = 1 };
        if (!defaults)
        {
            options.MaximumNumberOfIterations = data == AccuracyData.Mnist ? 3 : 2;
        }

        return ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(options).Fit(training);
    }

    /// <summary>
    /// The test accuracy <paramref name="method"/> reaches on <paramref name="data"/>: trained once, here, with the
    /// settings the benchmark times (every trainer is seeded and single-threaded, so it trains the same model).
    /// </summary>
    public static double Accuracy(string data, string method) => s_accuracies.GetOrAdd((data, method), key =>
    {
        (Dataset training, Dataset test) = AccuracyData.Get(key.Item1);
        switch (key.Item2)
        {
            case NativeSoftmax:
                return AccuracyData.Accuracy(TrainNativeSoftmax(key.Item1, training), test);
            case NativePerceptron:
                return AccuracyData.Accuracy(TrainNativePerceptron(key.Item1, training), test);
        }

        var ml = new MLContext(MlNet.Seed);
        IDataView mlTraining = MlNet.Load(ml, training), mlTest = MlNet.Load(ml, test);
        ITransformer model = key.Item2 switch
        {
            MlNetLbfgs or MlNetLbfgsDefaults => TrainMlNetLbfgs(ml, mlTraining, key.Item1, key.Item2 == MlNetLbfgsDefaults),
            _ => TrainMlNetSdca(ml, mlTraining, key.Item1, key.Item2 == MlNetSdcaDefaults),
        };
        return MlNet.Accuracy(ml, model, mlTest);
    });
}
