using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// What one core can do at most with bytes: products of unsigned and signed bytes summed into 32 bits, in registers, per
/// nanosecond — <c>vpmaddubsw</c> + <c>vpmaddwd</c> + <c>vpaddd</c> at 512 and 256 bits, and <c>vpdpbusd</c> (AVX-VNNI)
/// at 256 and 128 bits — beside the float multiply-add ceiling of <see cref="CeilingBenchmarks"/>: the ceiling of the
/// int8 kernels, as that is of the float ones.
/// </summary>
/// <remarks>
/// Twelve independent accumulators, each with its own activation bytes; the weight bytes change every iteration (loaded
/// from a 1 KB table in L1, as the kernels load theirs), so nothing can be hoisted out of the loop. A path the CPU lacks
/// reads 0.
/// </remarks>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
public class IntegerCeilingBenchmarks
{
    /// <summary>Iterations of each loop: 12 accumulators each.</summary>
    public const int Iterations = 1 << 17;

    private static readonly AlignedBuffer s_weights = Weights();

    /// <summary>12 × <see cref="Iterations"/> × 64 byte products, <c>vpmaddubsw</c> + <c>vpmaddwd</c> at 512 bits.</summary>
    [Benchmark(Description = "ceiling: byte multiply-adds in registers, vpmaddubsw 512-bit")]
    public int PairSums512() => Avx512BW.IsSupported ? Pairs512(Iterations, ref s_weights.Origin) : 0;

    /// <summary>12 × <see cref="Iterations"/> × 32 byte products, <c>vpmaddubsw</c> + <c>vpmaddwd</c> at 256 bits.</summary>
    [Benchmark(Description = "ceiling: byte multiply-adds in registers, vpmaddubsw 256-bit")]
    public int PairSums256() => Avx2.IsSupported ? Pairs256(Iterations, ref s_weights.Origin) : 0;

    /// <summary>12 × <see cref="Iterations"/> × 32 byte products, <c>vpdpbusd</c> at 256 bits.</summary>
    [Benchmark(Description = "ceiling: byte multiply-adds in registers, vpdpbusd 256-bit")]
    public int Vnni256() => AvxVnni.IsSupported ? Dot256(Iterations, ref s_weights.Origin) : 0;

    /// <summary>12 × <see cref="Iterations"/> × 16 byte products, <c>vpdpbusd</c> at 128 bits.</summary>
    [Benchmark(Description = "ceiling: byte multiply-adds in registers, vpdpbusd 128-bit")]
    public int Vnni128() => AvxVnni.IsSupported ? Dot128(Iterations, ref s_weights.Origin) : 0;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Pairs512(int n, ref float table)
    {
        ref byte w = ref Unsafe.As<float, byte>(ref table);
        Vector512<short> one = Vector512<short>.One;
        Vector512<byte> x0 = Vector512.Create((byte)1), x1 = Vector512.Create((byte)2), x2 = Vector512.Create((byte)3), x3 = Vector512.Create((byte)4);
        Vector512<byte> x4 = Vector512.Create((byte)5), x5 = Vector512.Create((byte)6), x6 = Vector512.Create((byte)7), x7 = Vector512.Create((byte)8);
        Vector512<byte> x8 = Vector512.Create((byte)9), x9 = Vector512.Create((byte)10), x10 = Vector512.Create((byte)11), x11 = Vector512.Create((byte)12);
        Vector512<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<int> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < n; i++)
        {
            Vector512<sbyte> v = Vector512.LoadUnsafe(ref w, (nuint)((i & 15) * 64)).AsSByte();
            a0 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x0, v), one);
            a1 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x1, v), one);
            a2 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x2, v), one);
            a3 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x3, v), one);
            a4 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x4, v), one);
            a5 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x5, v), one);
            a6 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x6, v), one);
            a7 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x7, v), one);
            a8 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x8, v), one);
            a9 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x9, v), one);
            a10 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x10, v), one);
            a11 += Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(x11, v), one);
        }

        return Vector512.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Pairs256(int n, ref float table)
    {
        ref byte w = ref Unsafe.As<float, byte>(ref table);
        Vector256<short> one = Vector256<short>.One;
        Vector256<byte> x0 = Vector256.Create((byte)1), x1 = Vector256.Create((byte)2), x2 = Vector256.Create((byte)3), x3 = Vector256.Create((byte)4);
        Vector256<byte> x4 = Vector256.Create((byte)5), x5 = Vector256.Create((byte)6), x6 = Vector256.Create((byte)7), x7 = Vector256.Create((byte)8);
        Vector256<byte> x8 = Vector256.Create((byte)9), x9 = Vector256.Create((byte)10), x10 = Vector256.Create((byte)11), x11 = Vector256.Create((byte)12);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<int> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < n; i++)
        {
            Vector256<sbyte> v = Vector256.LoadUnsafe(ref w, (nuint)((i & 15) * 64)).AsSByte();
            a0 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x0, v), one);
            a1 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x1, v), one);
            a2 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x2, v), one);
            a3 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x3, v), one);
            a4 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x4, v), one);
            a5 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x5, v), one);
            a6 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x6, v), one);
            a7 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x7, v), one);
            a8 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x8, v), one);
            a9 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x9, v), one);
            a10 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x10, v), one);
            a11 += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(x11, v), one);
        }

        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Dot256(int n, ref float table)
    {
        ref byte w = ref Unsafe.As<float, byte>(ref table);
        Vector256<byte> x0 = Vector256.Create((byte)1), x1 = Vector256.Create((byte)2), x2 = Vector256.Create((byte)3);
        Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<int> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < n; i++)
        {
            // VEX encoding reaches 16 registers: 12 sums, three activations and the weights.
            Vector256<sbyte> v = Vector256.LoadUnsafe(ref w, (nuint)((i & 15) * 64)).AsSByte();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x0, v);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x1, v);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x2, v);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x0, v);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x1, v);
            a5 = AvxVnni.MultiplyWideningAndAdd(a5, x2, v);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x0, v);
            a7 = AvxVnni.MultiplyWideningAndAdd(a7, x1, v);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x2, v);
            a9 = AvxVnni.MultiplyWideningAndAdd(a9, x0, v);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x1, v);
            a11 = AvxVnni.MultiplyWideningAndAdd(a11, x2, v);
        }

        return Vector256.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static int Dot128(int n, ref float table)
    {
        ref byte w = ref Unsafe.As<float, byte>(ref table);
        Vector128<byte> x0 = Vector128.Create((byte)1), x1 = Vector128.Create((byte)2), x2 = Vector128.Create((byte)3);
        Vector128<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector128<int> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < n; i++)
        {
            Vector128<sbyte> v = Vector128.LoadUnsafe(ref w, (nuint)((i & 15) * 64)).AsSByte();
            a0 = AvxVnni.MultiplyWideningAndAdd(a0, x0, v);
            a1 = AvxVnni.MultiplyWideningAndAdd(a1, x1, v);
            a2 = AvxVnni.MultiplyWideningAndAdd(a2, x2, v);
            a3 = AvxVnni.MultiplyWideningAndAdd(a3, x0, v);
            a4 = AvxVnni.MultiplyWideningAndAdd(a4, x1, v);
            a5 = AvxVnni.MultiplyWideningAndAdd(a5, x2, v);
            a6 = AvxVnni.MultiplyWideningAndAdd(a6, x0, v);
            a7 = AvxVnni.MultiplyWideningAndAdd(a7, x1, v);
            a8 = AvxVnni.MultiplyWideningAndAdd(a8, x2, v);
            a9 = AvxVnni.MultiplyWideningAndAdd(a9, x0, v);
            a10 = AvxVnni.MultiplyWideningAndAdd(a10, x1, v);
            a11 = AvxVnni.MultiplyWideningAndAdd(a11, x2, v);
        }

        return Vector128.Sum(((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)));
    }

    private static AlignedBuffer Weights()
    {
        var buffer = new AlignedBuffer(16 * 16);
        var random = new Random(1);
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer.Span[i] = BitConverter.Int32BitsToSingle(random.Next() & 0x3F3F3F3F);
        }

        return buffer;
    }
}

/// <summary>
/// The byte ceiling, measured in the process that prints the summary: the best of many short runs of each loop of
/// <see cref="IntegerCeilingBenchmarks"/>, as <see cref="Ceiling"/> measures the float one.
/// </summary>
public static class IntegerCeiling
{
    private static readonly Lazy<(double Pairs512, double Pairs256, double Vnni256, double Vnni128)> s_rates = new(Measure);

    /// <summary>Byte multiply-adds per nanosecond of the fastest instruction this CPU has for them (VNNI unless <paramref name="vnni"/> is false).</summary>
    public static double BytesPerNanosecond(bool vnni = true)
    {
        var (pairs512, pairs256, vnni256, vnni128) = s_rates.Value;
        double pairs = Math.Max(pairs512, pairs256);
        return vnni ? Math.Max(pairs, Math.Max(vnni256, vnni128)) : pairs;
    }

    /// <summary>The four rates, for the summary's notes.</summary>
    public static (double Pairs512, double Pairs256, double Vnni256, double Vnni128) Rates => s_rates.Value;

    private static (double, double, double, double) Measure()
    {
        var ceiling = new IntegerCeilingBenchmarks();
        const double iterations = 12.0 * IntegerCeilingBenchmarks.Iterations;
        return (
            Avx512BW.IsSupported ? Best(() => ceiling.PairSums512(), iterations * 64) : 0,
            Avx2.IsSupported ? Best(() => ceiling.PairSums256(), iterations * 32) : 0,
            AvxVnni.IsSupported ? Best(() => ceiling.Vnni256(), iterations * 32) : 0,
            AvxVnni.IsSupported ? Best(() => ceiling.Vnni128(), iterations * 16) : 0);
    }

    // Units of work per nanosecond in the fastest of the runs (a run the scheduler interrupts only reads slower).
    private static double Best(Func<int> run, double units)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 40; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds);
        }

        return units / best;
    }
}
