using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Microsoft.ML;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// Training from scratch to a stated test accuracy, Native against ML.NET's multiclass trainers, on MNIST-10k and on
/// scikit-learn's digits (<see cref="AccuracyData"/>): the time of one whole fit with the settings that reach the
/// target soonest, and the accuracy that fit ends at (the "Test accuracy" column; the algorithms differ, so time alone
/// would not say which is better). ML.NET's trainers also run at their defaults, as most of its users run them.
/// </summary>
/// <remarks>
/// What is timed is the fit alone: Native's <see cref="Trainer.Fit"/> on a <see cref="Dataset"/> (a fresh model, its
/// initialization and the trainer's buffers included); ML.NET's <c>Fit</c> on an in-memory data view whose cache is
/// already full. Neither evaluates during training. One thread each (ML.NET's <c>NumberOfThreads = 1</c>). The
/// settings and how they were chosen: <see cref="TrainingRecipes"/>, <see cref="TrainingCurves"/>.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(TrainingConfig))]
public class TrainingToAccuracyBenchmarks
{
    private Dataset _training = null!;
    private MLContext _ml = null!;
    private IDataView _mlTraining = null!;

    /// <summary>The data set: MNIST-10k (8,000 × 784 training rows) or digits (1,437 × 64).</summary>
    [Params(AccuracyData.Mnist, AccuracyData.Digits)]
    public string Data { get; set; } = AccuracyData.Digits;

    [GlobalSetup]
    public void Setup()
    {
        _training = AccuracyData.Get(Data).Training;
        _ml = new MLContext(MlNet.Seed);
        _mlTraining = MlNet.Load(_ml, _training);
    }

    [Benchmark(Baseline = true)]
    public IClassifier NativeSoftmax() => TrainingRecipes.TrainNativeSoftmax(Data, _training);

    [Benchmark]
    public IClassifier NativePerceptron() => TrainingRecipes.TrainNativePerceptron(Data, _training);

    [Benchmark]
    public ITransformer MlNetLbfgs() => TrainingRecipes.TrainMlNetLbfgs(_ml, _mlTraining, Data, defaults: false);

    [Benchmark]
    public ITransformer MlNetSdca() => TrainingRecipes.TrainMlNetSdca(_ml, _mlTraining, Data, defaults: false);

    [Benchmark]
    public ITransformer MlNetLbfgsDefaults() => TrainingRecipes.TrainMlNetLbfgs(_ml, _mlTraining, Data, defaults: true);

    [Benchmark]
    public ITransformer MlNetSdcaDefaults() => TrainingRecipes.TrainMlNetSdca(_ml, _mlTraining, Data, defaults: true);
}

/// <summary>
/// Whole fits of milliseconds to seconds: each iteration one fit (no pilot, no overhead subtraction), one warm-up and
/// nine measured; the test accuracy and the settings beside the time.
/// </summary>
public sealed class TrainingConfig : ManualConfig
{
    public TrainingConfig()
    {
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(9).WithId("fit"));
        AddColumn(new TrainingColumn("Test accuracy", (data, method) =>
            TrainingRecipes.Accuracy(data, method).ToString("P1", CultureInfo.InvariantCulture)));
        AddColumn(new TrainingColumn("Target", (data, _) => TrainingRecipes.Target(data).ToString("P0", CultureInfo.InvariantCulture)));
        AddColumn(new TrainingColumn("Settings", TrainingRecipes.Describe));
    }
}

/// <summary>A column of <see cref="TrainingToAccuracyBenchmarks"/> computed from the data set and the method.</summary>
public sealed class TrainingColumn(string name, Func<string, string, string> value) : IColumn
{
    public string Id => $"{nameof(TrainingColumn)}.{name}";

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => false;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => name switch
    {
        "Test accuracy" => "Share of the test rows the trained model classifies correctly",
        "Target" => "The test accuracy every trainer's settings are chosen to reach",
        _ => "The trainer's settings",
    };

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        benchmarkCase.Parameters["Data"] is string data ? value(data, benchmarkCase.Descriptor.WorkloadMethod.Name) : "-";
}
