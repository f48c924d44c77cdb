using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// What one core of this machine can do at most, measured in the same run as the kernels so every figure can be put
/// against it: fused multiply-adds per nanosecond with the operands in registers, at 512, 256 and 128 bits, and the
/// bytes per nanosecond one core reads from memory.
/// </summary>
/// <remarks>
/// The multiply-add loop keeps 12 independent accumulators, enough to cover the instruction's latency at each width,
/// and does nothing else (the method from docs/performance.md, there in C). The read loop sums a 256 MiB array, far
/// beyond the caches, 512 bits at a time into 8 accumulators. Each benchmark reports its count per invocation through
/// <see cref="Ceiling"/>, which <see cref="EfficiencyColumn"/> reads to express other benchmarks as a share of it.
/// </remarks>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
public class CeilingBenchmarks
{
    /// <summary>Iterations of the multiply-add loop: 12 accumulators each, 2 million multiply-add instructions.</summary>
    public const int Iterations = 1 << 17;

    /// <summary>The read benchmark's array: 256 MiB, 64 times the largest cache.</summary>
    public const int ReadFloats = 64 << 20;

    private AlignedBuffer _memory = null!;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new AlignedBuffer(ReadFloats);
        _memory.Span.Fill(1f);
    }

    /// <summary>12 × <see cref="Iterations"/> 512-bit multiply-adds, 16 lanes each.</summary>
    [Benchmark(Description = "ceiling: multiply-adds in registers, 512-bit")]
    public float MultiplyAdd512() => Fma512(Iterations, Vector512.Create(1e-3f), Vector512.Create(0.999f));

    /// <summary>12 × <see cref="Iterations"/> 256-bit multiply-adds, 8 lanes each.</summary>
    [Benchmark(Description = "ceiling: multiply-adds in registers, 256-bit")]
    public float MultiplyAdd256() => Fma256(Iterations, Vector256.Create(1e-3f), Vector256.Create(0.999f));

    /// <summary>12 × <see cref="Iterations"/> 128-bit multiply-adds, 4 lanes each.</summary>
    [Benchmark(Description = "ceiling: multiply-adds in registers, 128-bit")]
    public float MultiplyAdd128() => Fma128(Iterations, Vector128.Create(1e-3f), Vector128.Create(0.999f));

    /// <summary>Reads <see cref="ReadFloats"/> floats once.</summary>
    [Benchmark(Description = "ceiling: one core reading memory")]
    public float ReadMemory() => Sum(ref _memory.Origin, ReadFloats);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma512(int n, Vector512<float> x, Vector512<float> y)
    {
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < n; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, y, x); a1 = Vector512.FusedMultiplyAdd(a1, y, x); a2 = Vector512.FusedMultiplyAdd(a2, y, x);
            a3 = Vector512.FusedMultiplyAdd(a3, y, x); a4 = Vector512.FusedMultiplyAdd(a4, y, x); a5 = Vector512.FusedMultiplyAdd(a5, y, x);
            a6 = Vector512.FusedMultiplyAdd(a6, y, x); a7 = Vector512.FusedMultiplyAdd(a7, y, x); a8 = Vector512.FusedMultiplyAdd(a8, y, x);
            a9 = Vector512.FusedMultiplyAdd(a9, y, x); a10 = Vector512.FusedMultiplyAdd(a10, y, x); a11 = Vector512.FusedMultiplyAdd(a11, y, x);
        }

        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma256(int n, Vector256<float> x, Vector256<float> y)
    {
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < n; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, y, x); a1 = Vector256.FusedMultiplyAdd(a1, y, x); a2 = Vector256.FusedMultiplyAdd(a2, y, x);
            a3 = Vector256.FusedMultiplyAdd(a3, y, x); a4 = Vector256.FusedMultiplyAdd(a4, y, x); a5 = Vector256.FusedMultiplyAdd(a5, y, x);
            a6 = Vector256.FusedMultiplyAdd(a6, y, x); a7 = Vector256.FusedMultiplyAdd(a7, y, x); a8 = Vector256.FusedMultiplyAdd(a8, y, x);
            a9 = Vector256.FusedMultiplyAdd(a9, y, x); a10 = Vector256.FusedMultiplyAdd(a10, y, x); a11 = Vector256.FusedMultiplyAdd(a11, y, x);
        }

        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma128(int n, Vector128<float> x, Vector128<float> y)
    {
        Vector128<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (int i = 0; i < n; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, y, x); a1 = Vector128.FusedMultiplyAdd(a1, y, x); a2 = Vector128.FusedMultiplyAdd(a2, y, x);
            a3 = Vector128.FusedMultiplyAdd(a3, y, x); a4 = Vector128.FusedMultiplyAdd(a4, y, x); a5 = Vector128.FusedMultiplyAdd(a5, y, x);
            a6 = Vector128.FusedMultiplyAdd(a6, y, x); a7 = Vector128.FusedMultiplyAdd(a7, y, x); a8 = Vector128.FusedMultiplyAdd(a8, y, x);
            a9 = Vector128.FusedMultiplyAdd(a9, y, x); a10 = Vector128.FusedMultiplyAdd(a10, y, x); a11 = Vector128.FusedMultiplyAdd(a11, y, x);
        }

        return Vector128.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Sum(ref float values, int length)
    {
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
        for (nint k = 0; k < length; k += 128)
        {
            s0 += Vector512.LoadUnsafe(ref values, (nuint)k);
            s1 += Vector512.LoadUnsafe(ref values, (nuint)(k + 16));
            s2 += Vector512.LoadUnsafe(ref values, (nuint)(k + 32));
            s3 += Vector512.LoadUnsafe(ref values, (nuint)(k + 48));
            s4 += Vector512.LoadUnsafe(ref values, (nuint)(k + 64));
            s5 += Vector512.LoadUnsafe(ref values, (nuint)(k + 80));
            s6 += Vector512.LoadUnsafe(ref values, (nuint)(k + 96));
            s7 += Vector512.LoadUnsafe(ref values, (nuint)(k + 112));
        }

        return Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
    }
}
