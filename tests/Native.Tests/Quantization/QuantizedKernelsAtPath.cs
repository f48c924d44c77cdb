using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;

namespace Native.Tests.Quantization;

/// <summary>The integer paths, for theories that run every path on every machine (emulated where the CPU lacks one).</summary>
public static class IntegerPaths
{
    /// <summary>Every path: the four widths, and VNNI at 128 and 256 bits.</summary>
    public static TheoryData<string> All => new(Enum.GetNames<IntegerPath>());

    internal static IntegerPath Parse(string name) => Enum.Parse<IntegerPath>(name);
}

/// <summary>The quantized kernels on a path the test chooses.</summary>
internal static class QuantizedKernelsAtPath
{
    /// <summary><see cref="BroadcastKernel.Row"/> (<paramref name="rows"/> = 1) or <see cref="BroadcastKernel.Rows"/> on <paramref name="path"/>.</summary>
    public static void Sums(IntegerPath path, byte[] a, int rowStride, int rows, byte[] packed, int groups, int outputs, int[] sums)
    {
        var job = new SumsJob(a, rowStride, rows, packed, groups, outputs, sums);
        IntegerDispatch.Run<SumsJob, int>(path, ref job);
    }

    /// <summary><see cref="DotProductKernel.Row"/> on <paramref name="path"/>: W row-major, rows of <paramref name="length"/> bytes, <paramref name="inputs"/> of them used.</summary>
    public static void DotProducts(IntegerPath path, byte[] a, byte[] w, int length, int inputs, int outputs, int[] sums)
    {
        var job = new DotProductsJob(a, w, length, inputs, outputs, sums);
        IntegerDispatch.Run<DotProductsJob, int>(path, ref job);
    }

    /// <summary><see cref="DotProductRowsKernel.Rows"/> on <paramref name="path"/>: rows of A <paramref name="rowStride"/> bytes apart, each row's sums <paramref name="sumStride"/> apart.</summary>
    public static void DotProductRows(IntegerPath path, byte[] a, int rowStride, int rows, byte[] w, int length, int inputs, int outputs, int[] sums, int sumStride)
    {
        var job = new DotProductRowsJob(a, rowStride, rows, w, length, inputs, outputs, sums, sumStride);
        IntegerDispatch.Run<DotProductRowsJob, int>(path, ref job);
    }

    /// <summary>
    /// <see cref="FeatureKernel.Row"/> on <paramref name="path"/>: the features' bytes (uniform map: the first scale and
    /// offset) and their sums with W, rows of <paramref name="length"/> bytes; returns whether every feature had a level.
    /// </summary>
    public static bool FeatureSums(IntegerPath path, float[] x, float[] scales, float[] offsets, bool perFeature, byte[] bytes, byte[] w, int length, int outputs, int[] sums)
    {
        var job = new FeatureSumsJob(x, scales, offsets, perFeature, bytes, w, length, outputs, sums);
        return IntegerDispatch.Run<FeatureSumsJob, bool>(path, ref job);
    }

    /// <summary>
    /// <see cref="InterleavedKernel.Row"/> on <paramref name="path"/> (a path of 256-bit products): the features' sums with W,
    /// given row-major in rows of <paramref name="length"/> bytes and interleaved here; returns whether every feature had
    /// a level.
    /// </summary>
    public static bool InterleavedSums(IntegerPath path, float[] x, float[] scales, float[] offsets, bool perFeature, byte[] w, int length, int outputs, int[] sums)
    {
        AlignedBuffer interleaved = InterleavedKernel.Interleave(MemoryMarshal.Cast<byte, sbyte>(w.AsSpan()), length, x.Length, outputs);
        var job = new InterleavedSumsJob(x, scales, offsets, perFeature, interleaved, outputs, sums);
        return IntegerDispatch.Run<InterleavedSumsJob, bool>(path, ref job);
    }

    private readonly struct InterleavedSumsJob(float[] x, float[] scales, float[] offsets, bool perFeature, AlignedBuffer weights, int outputs, int[] sums) : IIntegerOperation<bool>
    {
        public bool Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            Assert.Equal(8, TProducts.Lanes);
            ref byte w = ref Unsafe.As<float, byte>(ref weights.Origin);
            if (perFeature)
            {
                var map = new PerFeatureMap(ref scales[0], ref offsets[0]);
                return InterleavedKernel.Row<TProducts, TBytes, TInts, PerFeatureMap>(ref x[0], in map, x.Length, ref w, outputs, ref sums[0]);
            }

            var uniform = new ZeroPointMap(scales[0], (int)offsets[0]);
            return InterleavedKernel.Row<TProducts, TBytes, TInts, ZeroPointMap>(ref x[0], in uniform, x.Length, ref w, outputs, ref sums[0]);
        }
    }

    private readonly struct FeatureSumsJob(float[] x, float[] scales, float[] offsets, bool perFeature, byte[] bytes, byte[] w, int length, int outputs, int[] sums) : IIntegerOperation<bool>
    {
        public bool Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            if (perFeature)
            {
                var map = new PerFeatureMap(ref scales[0], ref offsets[0]);
                return FeatureKernel.Row<TProducts, TBytes, TInts, PerFeatureMap>(ref x[0], in map, x.Length, ref bytes[0], ref w[0], length, outputs, ref sums[0]);
            }

            var uniform = new ZeroPointMap(scales[0], (int)offsets[0]);
            return FeatureKernel.Row<TProducts, TBytes, TInts, ZeroPointMap>(ref x[0], in uniform, x.Length, ref bytes[0], ref w[0], length, outputs, ref sums[0]);
        }
    }

    private readonly struct DotProductRowsJob(byte[] a, int rowStride, int rows, byte[] w, int length, int inputs, int outputs, int[] sums, int sumStride) : IIntegerOperation<int>
    {
        public int Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            DotProductRowsKernel.Rows<TProducts, TBytes, TInts>(ref a[0], rowStride, rows, ref w[0], length, inputs, outputs, ref sums[0], sumStride);
            return 0;
        }
    }

    private readonly struct DotProductsJob(byte[] a, byte[] w, int length, int inputs, int outputs, int[] sums) : IIntegerOperation<int>
    {
        public int Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            DotProductKernel.Row<TProducts, TBytes, TInts>(ref a[0], ref w[0], length, inputs, outputs, ref sums[0]);
            return 0;
        }
    }

    /// <summary>
    /// Per 32-bit lane, over whole vectors of the arrays: <c>MultiplyAdd</c> of <paramref name="path"/> twice from zero, first
    /// with the bytes of (<paramref name="unsigned"/>, <paramref name="signed"/>), then with those of
    /// (<paramref name="unsigned2"/>, <paramref name="signed2"/>), so the sum carried in is tested too.
    /// </summary>
    public static int[] MultiplyAdd(IntegerPath path, byte[] unsigned, byte[] signed, byte[] unsigned2, byte[] signed2)
    {
        int[] sums = new int[unsigned.Length / 4];
        var job = new MultiplyAddJob(sums, unsigned, signed, unsigned2, signed2);
        IntegerDispatch.Run<MultiplyAddJob, int>(path, ref job);
        return sums;
    }

    /// <summary>The float width <paramref name="path"/> computes its float steps at.</summary>
    public static SimdWidth FloatWidth(IntegerPath path)
    {
        var job = new WidthJob();
        return IntegerDispatch.Run<WidthJob, SimdWidth>(path, ref job);
    }

    private readonly struct SumsJob(byte[] a, int rowStride, int rows, byte[] packed, int groups, int outputs, int[] sums) : IIntegerOperation<int>
    {
        public int Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            if (rows == 1)
            {
                BroadcastKernel.Row<TProducts, TBytes, TInts>(ref a[0], ref packed[0], groups, outputs, ref sums[0]);
            }
            else
            {
                BroadcastKernel.Rows<TProducts, TBytes, TInts>(ref a[0], rowStride, rows, ref packed[0], groups, outputs, ref sums[0]);
            }

            return 0;
        }
    }

    private readonly struct MultiplyAddJob(int[] sums, byte[] unsigned, byte[] signed, byte[] unsigned2, byte[] signed2) : IIntegerOperation<int>
    {
        public int Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            for (int v = 0; v + TProducts.Lanes <= sums.Length; v += TProducts.Lanes)
            {
                TInts first = TProducts.MultiplyAdd(TProducts.Zero, TProducts.Load(in unsigned[0], v * 4), TProducts.Load(in signed[0], v * 4));
                TInts second = TProducts.MultiplyAdd(first, TProducts.Load(in unsigned2[0], v * 4), TProducts.Load(in signed2[0], v * 4));
                TProducts.Store(second, ref sums[0], v);
            }

            return 0;
        }
    }

    private readonly struct WidthJob : IIntegerOperation<SimdWidth>
    {
        public SimdWidth Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct => TSimd.Width;
    }
}
