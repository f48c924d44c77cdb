using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Native.Benchmarks;

/// <summary>
/// Runs each benchmark under both of .NET's vector-width settings: 256 (the default on Intel parts that
/// slow their clock for 512-bit instructions) and 512. Hand-written kernels take their 512-bit path either
/// way where AVX-512 exists; TensorPrimitives and other library code follow the setting.
/// </summary>
public class VectorWidthConfig : ManualConfig
{
    public VectorWidthConfig()
        : this(warmups: 3, iterations: 10)
    {
    }

    protected VectorWidthConfig(int warmups, int iterations)
    {
        AddColumn(new EfficiencyColumn());
        foreach (string width in new[] { "256", "512" })
        {
            AddJob(Job.Default
                .WithWarmupCount(warmups)
                .WithIterationCount(iterations)
                .WithEnvironmentVariable("DOTNET_PreferredVectorBitWidth", width)
                .WithId($"vector{width}"));
        }
    }
}

/// <summary>The same two settings with fewer, longer iterations, for benchmarks that each take tens of milliseconds.</summary>
public sealed class EpochConfig : VectorWidthConfig
{
    public EpochConfig()
        : base(warmups: 2, iterations: 6)
    {
    }
}
