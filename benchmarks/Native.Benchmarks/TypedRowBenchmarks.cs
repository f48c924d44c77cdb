using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>The loans logistic regression (models/loans.safetensors, with its feature pipeline), compiled in with its typed row.</summary>
[GeneratedModel("models/loans.safetensors")]
public static partial class CompiledLoans;

/// <summary>
/// What the compiled pipeline costs a prediction: the loans table's 14 columns (tests/data/loans: an identifier, seven
/// numbers, six categories) into the logistic regression of models/loans.safetensors, compiled in by
/// <c>[GeneratedModel]</c>. The baseline is the compiled model alone on each record's encoded row (its standardizer
/// inside); then the same model from a <see cref="CompiledLoans.Row"/> (numbers imputed, categories switched on, then the
/// model); and, for comparison, the model <see cref="ModelFile.Load(string)"/> reads on a <see cref="TableRow"/> already
/// set. Each call predicts one of 2,048 held-out records in turn (blanks and unseen categories among them): too many for
/// the branch predictor to learn their order (with 256 it did, and a nest of switches on the categories looked free). <c>[MemoryDiagnoser]</c>: each must allocate 0 B.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*TypedRowBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class TypedRowBenchmarks
{
    private const int Records = 2048;

    private readonly float[] _probabilities = new float[2];
    private CompiledLoans.Row[] _rows = [];
    private float[] _encoded = [];
    private TableRow[] _tableRows = [];
    private TrainedModel _loaded = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        string[][] records = [.. File.ReadLines(LoansText.Path("loans-test.csv")).Skip(1).Take(Records).Select(line => line.Split(','))];
        _rows = [.. records.Select(Row)];
        _encoded = new float[Records * CompiledLoans.Features];
        for (int i = 0; i < Records; i++)
        {
            CompiledLoans.Encode(in _rows[i], _encoded.AsSpan(i * CompiledLoans.Features, CompiledLoans.Features));
        }

        _loaded = ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "models", "loans.safetensors"));
        FeaturePipeline pipeline = _loaded.Pipeline!;
        _tableRows = new TableRow[Records];
        for (int i = 0; i < Records; i++)
        {
            _tableRows[i] = _loaded.CreateRow();
            for (int c = 0; c < pipeline.Columns.Count; c++)
            {
                _tableRows[i].SetText(c, records[i][c]);
            }
        }
    }

    [Benchmark(Baseline = true, Description = "compiled model alone: encoded float row")]
    public float ModelAlone()
    {
        int i = _next++ & (Records - 1);
        CompiledLoans.PredictProbabilities(_encoded.AsSpan(i * CompiledLoans.Features, CompiledLoans.Features), _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "compiled pipeline + model: typed Row")]
    public float TypedRow()
    {
        CompiledLoans.PredictProbabilities(in _rows[_next++ & (Records - 1)], _probabilities);
        return _probabilities[1];
    }

    [Benchmark(Description = "ModelFile.Load's model: TableRow already set")]
    public float LoadedTableRow()
    {
        _loaded.PredictProbabilities(_tableRows[_next++ & (Records - 1)], _probabilities);
        return _probabilities[1];
    }

    /// <summary>
    /// The calls above alternated in one process, a timed batch of each in turn after two seconds of warm-up, 41 rounds:
    /// each one's median and least time a call, and what the typed row adds to the model alone (medians, and least).
    /// For a machine others load: the ratio of calls timed side by side holds where BenchmarkDotNet's separate runs drift.
    /// </summary>
    /// <remarks>Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- typedrow</c>.</remarks>
    public static void Alternate(TextWriter output)
    {
        var benchmark = new TypedRowBenchmarks();
        benchmark.Setup();
        (string Name, Func<float> Call)[] calls = Calls(benchmark);
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
        {
            foreach ((_, Func<float> call) in calls)
            {
                Time(call);
            }
        }

        var times = calls.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < 41; round++)
        {
            for (int k = 0; k < calls.Length; k++)
            {
                int c = (k + round) % calls.Length;
                times[c].Add(Time(calls[c].Call));
            }
        }

        double alone = Median(times[0]), aloneLeast = times[0].Min();
        for (int c = 0; c < calls.Length; c++)
        {
            double median = Median(times[c]), least = times[c].Min();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{calls[c].Name,-48} median {median,7:F1} ns, least {least,7:F1} ns; beyond the model alone {median - alone,6:F1} ns (least {least - aloneLeast,6:F1})"));
        }

        static double Time(Func<float> call)
        {
            const int Calls = 1 << 16;
            float sum = 0;
            long started = Stopwatch.GetTimestamp();
            for (int i = 0; i < Calls; i++)
            {
                sum += call();
            }

            double nanoseconds = Stopwatch.GetElapsedTime(started).TotalNanoseconds / Calls;
            return float.IsNaN(sum) ? double.NaN : nanoseconds;
        }

        static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
    }

    private static (string Name, Func<float> Call)[] Calls(TypedRowBenchmarks benchmark) =>
    [
        ("compiled model alone: encoded float row", benchmark.ModelAlone),
        ("compiled pipeline + model: typed Row", benchmark.TypedRow),
        ("ModelFile.Load's model: TableRow already set", benchmark.LoadedTableRow),
    ];

    /// <summary>A record's fields as a user fills the row: a blank number is null, every category as it comes.</summary>
    private static CompiledLoans.Row Row(string[] f) => new()
    {
        Income = Number(f[1]),
        LoanAmount = Number(f[2]),
        InterestRate = Number(f[3]),
        Term = Number(f[4]),
        Age = Number(f[5]),
        DebtToIncome = Number(f[6]),
        CreditLines = Number(f[7]),
        Grade = f[8],
        Purpose = f[9],
        HomeOwnership = f[10],
        State = f[11],
        Employment = f[12],
        Verified = f[13],
    };

    private static float? Number(string text) => text.Length == 0 ? null : float.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>Warm-up past a second (5 iterations of about 0.5 s) under the tiered JIT; a build timeout a loaded machine meets.</summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithWarmupCount(5).WithIterationCount(15));
            WithBuildTimeout(TimeSpan.FromMinutes(10));
        }
    }
}
