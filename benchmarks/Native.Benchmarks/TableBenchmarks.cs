using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Native.Numerics;
using nietras.SeparatedValues;

namespace Native.Benchmarks;

/// <summary>
/// What a table's pipeline costs a prediction: the loans table's 14 columns (tests/data/loans: an identifier, seven
/// numbers, six categories; 50 encoded features) into a logistic regression trained on it. The baseline is the model alone
/// on the encoded row (a <see cref="TrainedModel"/> without a pipeline, its standardizer inside); then the same model
/// through its pipeline from a <see cref="TableRow"/> already set, and from the record's 14 fields set as text (numbers
/// parsed, categories looked up) then predicted. The same three for the model quantized to int8 on the table
/// (<see cref="TrainedModel.Quantize(TableData)"/>: the pipeline in floats, the layers in integers). One row per call,
/// <c>[MemoryDiagnoser]</c>: each must allocate 0 B. Run:
/// <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*TablePredictionBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class TablePredictionBenchmarks
{
    private TrainedModel _withPipeline = null!;
    private TrainedModel _modelAlone = null!;
    private TrainedModel _int8WithPipeline = null!;
    private TrainedModel _int8Alone = null!;
    private TableRow _row = null!;
    private float[] _encoded = [];
    private readonly float[] _probabilities = new float[2];
    private string[][] _records = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        TableData table = Table.Read(LoansText.Path("loans-train.csv"), new TableOptions { LabelColumns = ["default"] });
        var model = new LogisticRegression(table.Pipeline.Features);
        new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 5, BatchSize = 64, Seed = 1 }).Fit(table.StandardizedData);
        _withPipeline = new TrainedModel(model, table.Metadata);
        _modelAlone = new TrainedModel(model, new ModelMetadata { Standardizer = table.Pipeline.Standardizer, ClassNames = table.Data.ClassNames });

        // The held-out records, with their blanks and unseen categories, as text.
        _records = [.. File.ReadLines(LoansText.Path("loans-test.csv")).Skip(1).Take(256).Select(line => line.Split(',')[..14])];
        _row = _withPipeline.CreateRow();
        SetRow(_records[0]);
        _encoded = new float[table.Pipeline.Features];
        _withPipeline.Pipeline!.Encode(_row, _encoded); // the encoded row, not standardized: the baseline model standardizes inside

        // In int8, calibrated on the training table's encoded rows; the model alone is the same integer layers without the pipeline.
        _int8WithPipeline = _withPipeline.Quantize(table);
        _int8Alone = new TrainedModel(_int8WithPipeline.QuantizedParameters!, new ModelMetadata { Standardizer = table.Pipeline.Standardizer, ClassNames = table.Data.ClassNames }, libraryVersion: null);
    }

    [Benchmark(Baseline = true, Description = "model alone: encoded float row")]
    public float ModelAlone()
    {
        _modelAlone.PredictProbabilities(_encoded, _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "pipeline + model: TableRow already set")]
    public float RowSet()
    {
        _withPipeline.PredictProbabilities(_row, _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "pipeline + model: 14 fields set as text, then predicted")]
    public float FromText()
    {
        SetRow(_records[_next++ & 255]);
        _withPipeline.PredictProbabilities(_row, _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "int8 model alone: encoded float row")]
    public float Int8ModelAlone()
    {
        _int8Alone.PredictProbabilities(_encoded, _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "int8 pipeline + model: TableRow already set")]
    public float Int8RowSet()
    {
        _int8WithPipeline.PredictProbabilities(_row, _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "int8 pipeline + model: 14 fields set as text, then predicted")]
    public float Int8FromText()
    {
        SetRow(_records[_next++ & 255]);
        _int8WithPipeline.PredictProbabilities(_row, _probabilities);
        return _probabilities[1];
    }

    private void SetRow(string[] record)
    {
        for (int c = 0; c < record.Length; c++)
        {
            _row.SetText(c, record[c]);
        }
    }
}

/// <summary>
/// A table read at a pipeline's fitting, through <see cref="Table.Read(Stream, TableOptions?, string?)"/> — one pass, every
/// field parsed or looked up, then the kinds decided, the rows encoded and the standardizer fitted — on three tables: the
/// loans table's 9,000 training rows repeated 50 times (450,000 rows, 34 MB; the identifier renumbered so it stays one;
/// numbers with blanks, six category columns), the same rows with only their number columns and label, and 150,000 rows
/// of 64 pixel-like integers 0–255 (a third of them 0) and a digit label (29.5 MB, every column an undecided number
/// column of at most 256 distinct texts, the case that looks every value up as a category too). One thread; MB/s is the
/// text's bytes over the mean. Beside it, the bounds beneath it on the same text: Table.Read's record reader alone, and Sep.
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*TableReadBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class TableReadBenchmarks
{
    private byte[] _text = [];

    [Params("categories", "numbers only", "pixels")]
    public string Columns { get; set; } = "categories";

    [GlobalSetup]
    public void Setup() => _text = Text(Columns);

    [Benchmark(Baseline = true, Description = "Table.Read: fit the pipeline, encode the rows")]
    public Dataset Read() => Table.Read(new MemoryStream(_text), new TableOptions { LabelColumns = [Columns == "pixels" ? "digit" : "default"] }).Data;

    /// <summary>The bound beneath Table.Read: its own record reader alone, every record split into fields (decoding included), nothing parsed.</summary>
    [Benchmark(Description = "bound: the record reader alone (CsvRecordReader, fields found)")]
    public int Records()
    {
        var records = new CsvRecordReader(new MemoryStream(_text), null, new CsvOptions());
        int fields = 0;
        while (records.Next())
        {
            fields += records.FieldCount;
        }

        return fields;
    }

    /// <summary>Sep 0.17.1 (the fastest .NET CSV parser) on the same text: every field's characters found, nothing parsed.</summary>
    [Benchmark(Description = "bound: Sep, every field's text")]
    public int Sep()
    {
        using SepReader reader = nietras.SeparatedValues.Sep.Reader(o => o with { Unescape = true }).From(new MemoryStream(_text));
        int characters = 0;
        foreach (SepReader.Row row in reader)
        {
            for (int j = 0; j < row.ColCount; j++)
            {
                characters += row[j].Span.Length;
            }
        }

        return characters;
    }

    /// <summary>The text of the table <paramref name="columns"/> names.</summary>
    private static byte[] Text(string columns) => columns == "pixels" ? PixelText.Make() : LoansText.Repeated(columns == "numbers only");

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Eight warm-up reads, not two: a read is one call of methods whose loops run long, and the first five reads of
            // a process run 3-4x slower (tier-0 code with on-stack replacement, until the tiered JIT's background
            // compilation catches up) — with two warm-ups, three of eight measured reads were those, and the figures came
            // out "bimodal" (mean 347 ms, median 171 ms for the categories table).
            AddJob(Job.Default.WithWarmupCount(8).WithIterationCount(8).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(new ThroughputColumn());
        }
    }

    private sealed class ThroughputColumn : IColumn
    {
        public string Id => "TableMBps";

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Megabytes (10^6) of CSV text per second: the text's length over the mean";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            string columns = (string)benchmarkCase.Parameters["Columns"];
            return nanoseconds is double mean ? (Text(columns).Length / 1e6 / (mean / 1e9)).ToString("N0", CultureInfo.InvariantCulture) : "-";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}

/// <summary>
/// Table.Read of two or more builds of the library in one process, reads alternated, for an A/B where the machine is shared:
/// each build's <c>Native.Numerics.dll</c> in a load context of its own ("current" for this build's), the same text as
/// <see cref="TableReadBenchmarks"/>, a warm-up of 2.5 s each, then the median wall and CPU time of the reads (CPU time is the
/// process's, user and kernel: on a loaded machine it is the steadier of the two), the bytes one read allocates and the GC's
/// pauses. Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- tableread-ab categories 15 current /path/to/before</c>,
/// the other build's <c>bin/Release/net10.0</c> copied to <c>/path/to/before</c>.
/// </summary>
internal static class TableReadComparison
{
    public static void Run(TextWriter output, string columns, int reads, string[] builds)
    {
        byte[] text = columns == "pixels" ? PixelText.Make() : LoansText.Repeated(columns == "numbers only" || columns == "numbers");
        string label = columns == "pixels" ? "digit" : "default";
        Func<Stream, object>[] readers = [.. builds.Select(build => Reader(build, label))];
        var wall = builds.Select(_ => new List<double>()).ToArray();
        var cpu = builds.Select(_ => new List<double>()).ToArray();
        var pauses = builds.Select(_ => new List<double>()).ToArray();
        long[] allocated = new long[builds.Length];
        for (int b = 0; b < builds.Length; b++)
        {
            var warmUp = Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 2500)
            {
                readers[b](new MemoryStream(text));
            }
        }

        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < reads; r++)
        {
            for (int b = 0; b < builds.Length; b++)
            {
                long bytes = GC.GetAllocatedBytesForCurrentThread();
                TimeSpan pause = GC.GetTotalPauseDuration();
                process.Refresh();
                TimeSpan processor = process.TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                readers[b](new MemoryStream(text));
                wall[b].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                process.Refresh();
                cpu[b].Add((process.TotalProcessorTime - processor).TotalMilliseconds);
                pauses[b].Add((GC.GetTotalPauseDuration() - pause).TotalMilliseconds);
                allocated[b] = GC.GetAllocatedBytesForCurrentThread() - bytes;
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Table.Read, {columns} ({text.Length / 1e6:F1} MB), {reads} reads each, alternated; medians (least)"));
        for (int b = 0; b < builds.Length; b++)
        {
            double wallMedian = Median(wall[b]), cpuMedian = Median(cpu[b]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{builds[b],-40} wall {wallMedian,6:F1} ms ({wall[b].Min(),6:F1}) {text.Length / 1e3 / wallMedian,5:F0} MB/s | CPU {cpuMedian,6:F1} ms ({cpu[b].Min(),6:F1}) {text.Length / 1e3 / cpuMedian,5:F0} MB/s | {allocated[b] / 1e6:F1} MB allocated, GC pauses {Median(pauses[b]):F1} ms (most {pauses[b].Max():F1})"));
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Table.Read with <paramref name="label"/> as the label, of this build ("current") or of the library in the folder <paramref name="build"/>.</summary>
    private static Func<Stream, object> Reader(string build, string label)
    {
        if (build == "current")
        {
            return stream => Table.Read(stream, new TableOptions { LabelColumns = [label] });
        }

        if (build == "current-thousands")
        {
            // The thousands separator asked for: its cost on a table that has none.
            return stream => Table.Read(stream, new TableOptions { LabelColumns = [label], ThousandsSeparator = ',' });
        }

        Assembly library = new AssemblyLoadContext(build).LoadFromAssemblyPath(Path.GetFullPath(Path.Combine(build, "Native.Numerics.dll")));
        Type optionsType = library.GetType("Native.Numerics.TableOptions", throwOnError: true)!;
        MethodInfo read = library.GetType("Native.Numerics.Table", throwOnError: true)!.GetMethods()
            .Single(method => method.Name == "Read" && method.GetParameters().Select(parameter => parameter.ParameterType.Name).SequenceEqual(["Stream", "TableOptions", "String"]));
        return stream =>
        {
            object options = Activator.CreateInstance(optionsType)!;
            optionsType.GetProperty("LabelColumns")!.SetValue(options, new[] { label });
            return read.Invoke(null, [stream, options, null])!;
        };
    }
}

/// <summary>
/// Training on a raw table, start to end: <see cref="Table.Read(string, TableOptions?)"/> of loans-train.csv (9,000 rows), then
/// a logistic regression (Adam 0.01, 30 epochs of 64-row batches: the settings of LoansAccuracyTests, 0.769 held out), or a
/// perceptron with scikit-learn's MLPClassifier defaults for 20 epochs (its 200 would take ten times as long).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
public class TableTrainingBenchmarks
{
    [Benchmark(Baseline = true, Description = "read + logistic regression, 30 epochs")]
    public TrainingResult Logistic()
    {
        TableData table = Table.Read(LoansText.Path("loans-train.csv"), new TableOptions { LabelColumns = ["default"] });
        var model = new LogisticRegression(table.Pipeline.Features);
        return new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 30, BatchSize = 64, Seed = 1 }).Fit(table.StandardizedData);
    }

    [Benchmark(Description = "read + perceptron 100 ReLU, Adam 1e-3, batch 200, 20 epochs")]
    public TrainingResult Perceptron()
    {
        TableData table = Table.Read(LoansText.Path("loans-train.csv"), new TableOptions { LabelColumns = ["default"] });
        var model = new MultilayerPerceptron([table.Pipeline.Features, 100, 2], Activation.Relu, seed: 1);
        return new Trainer(model, new Adam(1e-3f) { WeightDecay = 1e-4f / 200 }, new TrainerOptions { Epochs = 20, BatchSize = 200, Seed = 1 }).Fit(table.StandardizedData);
    }

    private sealed class Config : ManualConfig
    {
        public Config() => AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithInvocationCount(1).WithUnrollFactor(1));
    }
}

/// <summary>The loans table of tests/data/loans, and its training rows repeated.</summary>
internal static class LoansText
{
    private const int Repeats = 50;
    private static readonly Dictionary<bool, byte[]> Made = [];

    public static string Path(string file) => MnistData.RepositoryPath("tests", "data", "loans", file);

    /// <summary>The training rows <see cref="Repeats"/> times, the identifier renumbered; with <paramref name="numbersOnly"/>, only the number columns and the label.</summary>
    public static byte[] Repeated(bool numbersOnly)
    {
        lock (Made)
        {
            if (Made.TryGetValue(numbersOnly, out byte[]? text))
            {
                return text;
            }

            string[] lines = File.ReadAllLines(Path("loans-train.csv"));
            int[] keep = numbersOnly ? [0, 1, 2, 3, 4, 5, 6, 7, 14] : [.. Enumerable.Range(0, 15)];
            var builder = new StringBuilder();
            builder.AppendJoin(',', keep.Select(j => lines[0].Split(',')[j])).Append("\r\n");
            int id = 1;
            for (int r = 0; r < Repeats; r++)
            {
                foreach (string line in lines.Skip(1))
                {
                    string[] fields = line.Split(',');
                    fields[0] = (id++).ToString(CultureInfo.InvariantCulture);
                    builder.AppendJoin(',', keep.Select(j => fields[j])).Append("\r\n");
                }
            }

            return Made[numbersOnly] = Encoding.UTF8.GetBytes(builder.ToString());
        }
    }
}

/// <summary>A table of pixel-like integers: 64 columns of 0–255 (a third of them 0) and a digit label, made from a fixed seed.</summary>
internal static class PixelText
{
    private const int Rows = 150_000;
    private const int Pixels = 64;
    private static readonly Lazy<byte[]> Made = new(Write);

    public static byte[] Make() => Made.Value;

    private static byte[] Write()
    {
        var random = new Random(22);
        var builder = new StringBuilder();
        builder.AppendJoin(',', Enumerable.Range(0, Pixels).Select(j => $"pixel{j}")).Append(",digit\n");
        for (int i = 0; i < Rows; i++)
        {
            for (int j = 0; j < Pixels; j++)
            {
                int value = random.Next(3) == 0 ? 0 : random.Next(256);
                builder.Append(value.ToString(CultureInfo.InvariantCulture)).Append(',');
            }

            builder.Append(random.Next(10).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }
}
