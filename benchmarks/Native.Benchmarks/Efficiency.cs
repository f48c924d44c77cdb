using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Native.Benchmarks;

/// <summary>
/// The work one invocation of a benchmark does: multiply-adds, and bytes that must come from memory (a dataset too large
/// for the caches; parameters and a single row stay in cache and count as multiply-adds only). A benchmark class
/// implements it when its work depends on its parameters.
/// </summary>
public interface IWork
{
    /// <summary>The multiply-adds and memory bytes of one operation of <paramref name="method"/> under the current parameters.</summary>
    (double MultiplyAdds, double Bytes) Work(string method);
}

/// <summary>
/// What this machine's core can do at most, measured in the process that prints the summary, right after the
/// benchmarks ran: the best of many short runs of <see cref="CeilingBenchmarks"/>' loops (a run the scheduler
/// interrupts only reads slower, so the best is the machine's).
/// </summary>
public static class Ceiling
{
    private static readonly Lazy<(double Fma512, double Fma256, double Fma128, double Read)> s_rates = new(Measure);

    /// <summary>Multiply-adds per nanosecond at the width a job forced (<c>NATIVE_SIMD_WIDTH</c>), 512 bits by default.</summary>
    public static double MultiplyAddsPerNanosecond(string? width) => width switch
    {
        "Vector128" => s_rates.Value.Fma128,
        "Vector256" => s_rates.Value.Fma256,
        _ => s_rates.Value.Fma512,
    };

    /// <summary>Bytes per nanosecond one core reads from memory.</summary>
    public static double BytesPerNanosecond => s_rates.Value.Read;

    private static (double, double, double, double) Measure()
    {
        var ceiling = new CeilingBenchmarks();
        ceiling.Setup();
        double fma512 = Best(() => ceiling.MultiplyAdd512(), 12.0 * 16 * CeilingBenchmarks.Iterations);
        double fma256 = Best(() => ceiling.MultiplyAdd256(), 12.0 * 8 * CeilingBenchmarks.Iterations);
        double fma128 = Best(() => ceiling.MultiplyAdd128(), 12.0 * 4 * CeilingBenchmarks.Iterations);
        double read = Best(() => ceiling.ReadMemory(), 4.0 * CeilingBenchmarks.ReadFloats, runs: 8);
        return (fma512, fma256, fma128, read);
    }

    // Units of work per nanosecond in the fastest of the runs.
    private static double Best(Func<float> run, double units, int runs = 40)
    {
        double best = double.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds);
        }

        return units / best;
    }
}

/// <summary>The efficiency column, for benchmark classes with no other configuration.</summary>
public sealed class EfficiencyConfig : ManualConfig
{
    public EfficiencyConfig() => AddColumn(new EfficiencyColumn());
}

/// <summary>
/// A benchmark's time as a share of what the ceiling allows for its work: the larger of its multiply-adds at the
/// multiply-add ceiling and its memory bytes at the read ceiling, over its measured mean.
/// </summary>
public sealed class EfficiencyColumn : IColumn
{
    public string Id => nameof(EfficiencyColumn);

    public string ColumnName => "Of ceiling";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Share of this core's ceiling (multiply-adds in registers, or bytes from memory) the benchmark's work reaches";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        BenchmarkReport? report = summary[benchmarkCase];
        double? mean = report?.ResultStatistics?.Mean;
        if (mean is not > 0 || Work(benchmarkCase) is not var (multiplyAdds, bytes) || (multiplyAdds == 0 && bytes == 0))
        {
            return "-";
        }

        string? width = benchmarkCase.Job.Environment.EnvironmentVariables?.FirstOrDefault(v => v.Key == "NATIVE_SIMD_WIDTH")?.Value;
        double atCeiling = Math.Max(multiplyAdds / Ceiling.MultiplyAddsPerNanosecond(width), bytes / Ceiling.BytesPerNanosecond);
        return (atCeiling / mean.Value).ToString("P0", System.Globalization.CultureInfo.InvariantCulture);
    }

    // The work of one operation, from the benchmark class under this case's parameters.
    private static (double, double)? Work(BenchmarkCase benchmarkCase)
    {
        Type type = benchmarkCase.Descriptor.Type;
        if (!typeof(IWork).IsAssignableFrom(type))
        {
            return null;
        }

        var instance = (IWork)Activator.CreateInstance(type)!;
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            type.GetProperty(parameter.Name, BindingFlags.Public | BindingFlags.Instance)?.SetValue(instance, parameter.Value);
        }

        return instance.Work(benchmarkCase.Descriptor.WorkloadMethod.Name);
    }
}
