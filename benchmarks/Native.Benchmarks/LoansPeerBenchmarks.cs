using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// The issue 22 comparison on tests/data/loans (9,000 training rows, 3,000 held out with blanks and categories never seen):
/// ML.NET 5.0.1's table pipeline — ReplaceMissingValues (mean) on the seven number columns, OneHotEncoding on the six
/// text columns, Concatenate, NormalizeMeanVariance, SdcaLogisticRegression with its defaults — beside Native's
/// (<see cref="Table.Read(string, TableOptions?)"/>, then the logistic regression of LoansAccuracyTests: Adam 0.01, 30
/// epochs of 64 rows). <see cref="Print"/> (<c>-- loans-peers</c>) gives held-out accuracy and training time (read + fit,
/// the median of 5 runs after one warm-up, in one process); the benchmarks give one row's prediction: ML.NET's
/// <see cref="PredictionEngine{TSrc, TDst}"/> on a row object already made (numbers parsed), Native's model from a
/// <see cref="TableRow"/> whose 14 fields are set as text (numbers parsed here), then predicted, and from a row already set.
/// </summary>
[MemoryDiagnoser]
public class LoansPeerBenchmarks
{
    private const int Rows = 256;

    private PredictionEngine<LoansRecord, LoansPrediction> _engine = null!;
    private LoansPrediction _prediction = new();
    private LoansRecord[] _records = [];
    private TrainedModel _native = null!;
    private TableRow _row = null!;
    private string[][] _fields = [];
    private readonly float[] _probabilities = new float[2];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var ml = new MLContext(seed: MlNet.Seed);
        ITransformer model = TrainMlNet(ml);
        _engine = ml.Model.CreatePredictionEngine<LoansRecord, LoansPrediction>(model);
        _records = [.. ml.Data.CreateEnumerable<LoansRecord>(LoadMlNet(ml, "loans-test.csv"), reuseRowObject: false).Take(Rows)];
        _native = TrainNative();
        _row = _native.CreateRow();
        _fields = [.. File.ReadLines(LoansText.Path("loans-test.csv")).Skip(1).Take(Rows).Select(line => line.Split(',')[..14])];
    }

    [Benchmark(Baseline = true, Description = "ML.NET PredictionEngine, one row (a record object, numbers parsed)")]
    public float MlNetRow()
    {
        _engine.Predict(_records[_next++ & (Rows - 1)], ref _prediction);
        return _prediction.Probability;
    }

    [Benchmark(Description = "Native TrainedModel, one row (14 fields set as text, then predicted)")]
    public float NativeRow()
    {
        string[] record = _fields[_next++ & (Rows - 1)];
        for (int c = 0; c < record.Length; c++)
        {
            _row.SetText(c, record[c]);
        }

        _native.PredictProbabilities(_row, _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "Native TrainedModel, one row (a TableRow already set, as ML.NET's record)")]
    public float NativeRowSet()
    {
        _native.PredictProbabilities(_row, _probabilities);
        return _probabilities[1];
    }

    /// <summary>Held-out accuracy and training time (read + fit; median of 5 runs after a warm-up) of both, as a table.</summary>
    public static void Print(TextWriter output)
    {
        const int Runs = 5;
        var ml = new MLContext(seed: MlNet.Seed);
        double theirs = ml.BinaryClassification.Evaluate(TrainMlNet(ml).Transform(LoadMlNet(ml, "loans-test.csv"))).Accuracy;
        double ours = NativeAccuracy(TrainNative());
        double theirTime = MedianSeconds(Runs, () => TrainMlNet(new MLContext(seed: MlNet.Seed)));
        double ourTime = MedianSeconds(Runs, () => TrainNative());

        output.WriteLine("tests/data/loans: 9,000 training rows, 3,000 held out; training = reading the file + fitting the pipeline and model");
        output.WriteLine($"CPU: {CpuName()}; {Environment.ProcessorCount} processors; .NET {Environment.Version}");
        output.WriteLine();
        output.WriteLine("| | held-out accuracy | training (median of 5) |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| ML.NET 5.0.1: ReplaceMissingValues, OneHotEncoding, NormalizeMeanVariance, SdcaLogisticRegression | {theirs:F4} | {theirTime:F3} s |"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| Native: Table.Read, LogisticRegression (Adam 0.01, 30 epochs) | {ours:F4} | {ourTime:F3} s |"));
        output.WriteLine();
        output.WriteLine("One row's prediction: dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*LoansPeerBenchmarks*'");
    }

    /// <summary>Native's model on the loans table, as LoansAccuracyTests trains it.</summary>
    private static TrainedModel TrainNative()
    {
        TableData table = Table.Read(LoansText.Path("loans-train.csv"), new TableOptions { LabelColumns = ["default"] });
        var model = new LogisticRegression(table.Pipeline.Features);
        new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 30, BatchSize = 64, Seed = 1 }).Fit(table.StandardizedData);
        return new TrainedModel(model, table.Metadata);
    }

    private static double NativeAccuracy(TrainedModel model)
    {
        using TableRowReader reader = TableRowReader.Open(LoansText.Path("loans-test.csv"), model.Pipeline!);
        TableRow row = model.CreateRow();
        int label = File.ReadLines(LoansText.Path("loans-test.csv")).First().Split(',').ToList().IndexOf("default");
        string[] labels = [.. File.ReadLines(LoansText.Path("loans-test.csv")).Skip(1).Select(line => line.Split(',')[label])];
        int right = 0, count = 0;
        while (reader.ReadRow(row))
        {
            right += model.PredictClassName(row) == labels[count] ? 1 : 0;
            count++;
        }

        return (double)right / count;
    }

    private static IDataView LoadMlNet(MLContext ml, string file) =>
        ml.Data.LoadFromTextFile<LoansRecord>(LoansText.Path(file), separatorChar: ',', hasHeader: true);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The chain's full generic type says nothing a reader needs.")]
    private static ITransformer TrainMlNet(MLContext ml)
    {
        InputOutputColumnPair[] numbers = [.. LoansRecord.Numbers.Select(name => new InputOutputColumnPair(name))];
        InputOutputColumnPair[] categories = [.. LoansRecord.Categories.Select(name => new InputOutputColumnPair(name))];
        var pipeline = ml.Transforms.Conversion.ConvertType("Label", nameof(LoansRecord.Default), DataKind.Boolean)
            .Append(ml.Transforms.ReplaceMissingValues(numbers, MissingValueReplacingEstimator.ReplacementMode.Mean))
            .Append(ml.Transforms.Categorical.OneHotEncoding(categories))
            .Append(ml.Transforms.Concatenate("Features", [.. LoansRecord.Numbers, .. LoansRecord.Categories]))
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(labelColumnName: "Label", featureColumnName: "Features"));
        return pipeline.Fit(LoadMlNet(ml, "loans-train.csv"));
    }

    private static double MedianSeconds(int runs, Action run)
    {
        run();
        double[] seconds = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        Array.Sort(seconds);
        return seconds[runs / 2];
    }

    private static string CpuName()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>A record of the loans table as ML.NET reads it: numbers as floats (a blank is NaN), categories as text.</summary>
public sealed class LoansRecord
{
    public static readonly string[] Numbers = [nameof(Income), nameof(LoanAmount), nameof(InterestRate), nameof(Term), nameof(Age), nameof(DebtToIncome), nameof(CreditLines)];

    public static readonly string[] Categories = [nameof(Grade), nameof(Purpose), nameof(HomeOwnership), nameof(State), nameof(Employment), nameof(Verified)];

    [LoadColumn(1)]
    public float Income { get; set; }

    [LoadColumn(2)]
    public float LoanAmount { get; set; }

    [LoadColumn(3)]
    public float InterestRate { get; set; }

    [LoadColumn(4)]
    public float Term { get; set; }

    [LoadColumn(5)]
    public float Age { get; set; }

    [LoadColumn(6)]
    public float DebtToIncome { get; set; }

    [LoadColumn(7)]
    public float CreditLines { get; set; }

    [LoadColumn(8)]
    public string Grade { get; set; } = "";

    [LoadColumn(9)]
    public string Purpose { get; set; } = "";

    [LoadColumn(10)]
    public string HomeOwnership { get; set; } = "";

    [LoadColumn(11)]
    public string State { get; set; } = "";

    [LoadColumn(12)]
    public string Employment { get; set; } = "";

    [LoadColumn(13)]
    public string Verified { get; set; } = "";

    [LoadColumn(14)]
    public float Default { get; set; }
}

/// <summary>ML.NET's binary prediction: the class and P(default).</summary>
public sealed class LoansPrediction
{
    public bool PredictedLabel { get; set; }

    public float Probability { get; set; }
}
