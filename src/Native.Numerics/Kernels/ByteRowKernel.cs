using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels;

/// <summary>
/// Rows stored as bytes (features that are all integers 0–255: pixels, counts, one-hot columns) widened to floats in
/// registers: one load of 16, 8, 4 or 1 bytes becomes one vector of floats, exactly (every byte is a float), then, with a
/// standardizer, (x − mean) × scale: the two rounded operations <see cref="Standardizer.Transform(ReadOnlySpan{float}, Span{float})"/>
/// applies to the same row stored as floats, so the kernels after see the same bits either way.
/// </summary>
internal static class ByteRowKernel
{
    /// <summary>
    /// Whether the bottom layer's kernels read byte rows themselves (<see cref="ByteInput"/>, <see cref="StandardizedByteInput"/>),
    /// widening each vector of bytes where it is used, instead of training widening a chunk's rows into float rows first
    /// (<see cref="Widen"/>): true, false, or null (the default) for <see cref="ReadsDirectly"/>'s choice. The results are
    /// the same to the bit either way. Settable so that the benchmark and the tests run both ways in one process.
    /// </summary>
    internal static bool? ReadDirectly { get; set; }

    /// <summary>
    /// Whether a model of <paramref name="features"/> and <paramref name="outputs"/> (its <paramref name="parameters"/> telling
    /// one layer from several) reads byte rows, <paramref name="standardized"/> or not, directly: as <see cref="ReadDirectly"/>
    /// says when set, else <see cref="ChoosesDirect"/>.
    /// </summary>
    internal static bool ReadsDirectly(int features, int outputs, int parameters, bool standardized) =>
        ReadDirectly ?? ChoosesDirect(features, outputs, parameters, standardized);

    /// <summary>
    /// Direct reads when the model is one layer that <see cref="TenOutputKernel"/> covers whole and the bytes are not
    /// standardized. Those kernels read each vector of a row once for all ten outputs, forward and gradient, so widening it
    /// where it is used costs two widenings a vector against the copy's one, and saves the copy's store and its reads back
    /// from L2: measured faster for raw bytes (ByteRowBenchmarks, Intel Xeon Emerald Rapids, docs/performance.md, "Byte
    /// rows"). Standardizing adds a subtract and a multiply to each widening, on the multiply-adds' ports, twice over when read
    /// directly: there the copy measured as fast or faster. The general kernels read a vector two or three times, widening
    /// it each time: for them the copy is faster.
    /// </summary>
    internal static bool ChoosesDirect(int features, int outputs, int parameters, bool standardized) =>
        !standardized && parameters == ParameterLayout.LayerParameters(features, outputs) && TenOutputKernel.CoversWhole(features, outputs);

    /// <summary>How a kernel reads byte rows through <paramref name="standardizer"/>: widened, then (x − mean) × scale.</summary>
    public static StandardizedByteInput Standardizing(Standardizer standardizer) =>
        new(ref MemoryMarshal.GetArrayDataReference(standardizer.MeanArray), ref MemoryMarshal.GetArrayDataReference(standardizer.ScaleArray));

    /// <summary>The bytes at <paramref name="k"/>, one per lane of <typeparamref name="TVector"/>, as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TSimd, TVector>(ref readonly byte source, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        ref byte at = ref Unsafe.Add(ref Unsafe.AsRef(in source), k);
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            // vpmovzxbd: 16 bytes to 16 ints in one instruction, then to floats.
            Vector128<byte> bytes = Vector128.LoadUnsafe(ref at);
            Vector512<int> ints = Avx512F.IsSupported
                ? Avx512F.ConvertToVector512Int32(bytes)
                : Vector512.WidenLower(Vector512.WidenLower(bytes.ToVector256Unsafe().ToVector512Unsafe()).AsInt16()).AsInt32();
            Vector512<float> floats = Vector512.ConvertToSingle(ints);
            return Unsafe.As<Vector512<float>, TVector>(ref floats);
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector128<byte> bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref at)).AsByte();
            Vector256<int> ints = Avx2.IsSupported
                ? Avx2.ConvertToVector256Int32(bytes)
                : Vector256.WidenLower(Vector128.WidenLower(bytes).ToVector256Unsafe()).AsInt32();
            Vector256<float> floats = Vector256.ConvertToSingle(ints);
            return Unsafe.As<Vector256<float>, TVector>(ref floats);
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<byte> bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(ref at)).AsByte();
            Vector128<int> ints = Sse41.IsSupported
                ? Sse41.ConvertToVector128Int32(bytes)
                : Vector128.WidenLower(Vector128.WidenLower(bytes)).AsInt32();
            Vector128<float> floats = Vector128.ConvertToSingle(ints);
            return Unsafe.As<Vector128<float>, TVector>(ref floats);
        }

        float one = at;
        return Unsafe.As<float, TVector>(ref one);
    }

    /// <summary>
    /// The byte rows <paramref name="rows"/> views (its stride in 4-byte words, as <see cref="Dataset"/> lays byte rows
    /// out) widened into float rows <paramref name="stride"/> floats apart at <paramref name="destination"/>, each of
    /// <paramref name="features"/> values, as <paramref name="format"/> says: divided, standardized.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Widen<TSimd, TVector>(in Rows rows, int features, ByteRowFormat format, ref float destination, nint stride)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        Standardizer? standardizer = format.Standardizer;
        if (format.IsWhole)
        {
            if (standardizer is null)
            {
                WidenRows<TSimd, TVector, RawBytes>(in rows, features, default, ref destination, stride);
            }
            else
            {
                WidenRows<TSimd, TVector, StandardizedBytes>(in rows, features, new StandardizedBytes(standardizer), ref destination, stride);
            }
        }
        else if (standardizer is null)
        {
            WidenRows<TSimd, TVector, DividedBytes<RawBytes>>(in rows, features, new DividedBytes<RawBytes>(format, default), ref destination, stride);
        }
        else
        {
            WidenRows<TSimd, TVector, DividedBytes<StandardizedBytes>>(in rows, features, new DividedBytes<StandardizedBytes>(format, new StandardizedBytes(standardizer)), ref destination, stride);
        }
    }

    /// <summary>One byte row of <paramref name="features"/> values widened into <paramref name="destination"/> as <paramref name="format"/> says.</summary>
    public static void WidenRow<TSimd, TVector>(ref readonly byte source, ByteRowFormat format, ref float destination, int features)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        var row = new Rows(in Unsafe.As<byte, float>(ref Unsafe.AsRef(in source)), 0, 1);
        Widen<TSimd, TVector>(in row, features, format, ref destination, 0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WidenRows<TSimd, TVector, TStep>(in Rows rows, int features, TStep step, ref float destination, nint stride)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TStep : struct, IWideningStep
    {
        for (int i = 0; i < rows.Count; i++)
        {
            WidenRow<TSimd, TVector, TStep>(in Unsafe.As<float, byte>(ref Unsafe.AsRef(in rows[i])), step, ref Unsafe.Add(ref destination, i * stride), features);
        }
    }

    /// <summary>One byte row of <paramref name="features"/> values widened (and standardized) into <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WidenRow<TSimd, TVector, TStep>(ref readonly byte source, TStep step, ref float destination, int features)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TStep : struct, IWideningStep
    {
        nint k = 0;
        for (; k <= features - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(step.Apply<TSimd, TVector>(Load<TSimd, TVector>(in source, k), k), ref destination, k);
        }

        for (; k < features; k++)
        {
            Unsafe.Add(ref destination, k) = step.Apply<SimdScalar, float>(Unsafe.Add(ref Unsafe.AsRef(in source), k), k);
        }
    }

    /// <summary>
    /// Whether every value is an integer from 0 to 255 that a byte holds exactly: not −0, not a fraction, not out of range
    /// (so widening the byte gives back the value's bits).
    /// </summary>
    public static bool AreBytes(ReadOnlySpan<float> values)
    {
        ref float x = ref Unsafe.AsRef(in values.GetPinnableReference());
        nint k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; k <= values.Length - Vector512<float>.Count; k += Vector512<float>.Count)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref x, (nuint)k);
                Vector512<int> whole = Vector512.ConvertToInt32(v);
                Vector512<int> back = Vector512.ConvertToSingle(whole).AsInt32();
                if (!Vector512.EqualsAll(back, v.AsInt32()) || !Vector512.LessThanOrEqualAll(whole.AsUInt32(), Vector512.Create(255u)))
                {
                    return false;
                }
            }
        }

        for (; k < values.Length; k++)
        {
            float value = Unsafe.Add(ref x, k);
            if (!(value >= 0f && value <= 255f) || BitConverter.SingleToInt32Bits(value) != BitConverter.SingleToInt32Bits((byte)value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Each value (already checked by <see cref="AreBytes"/>) as its byte.</summary>
    public static void Narrow(ReadOnlySpan<float> values, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, values.Length);
        ref float x = ref Unsafe.AsRef(in values.GetPinnableReference());
        ref byte y = ref MemoryMarshal.GetReference(destination);
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 64 floats to 64 bytes: to ints, then narrowed twice (the values are 0-255, so nothing is cut).
            for (; k <= values.Length - 64; k += 64)
            {
                Vector512<uint> a = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref x, (nuint)k)).AsUInt32();
                Vector512<uint> b = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref x, (nuint)k + 16)).AsUInt32();
                Vector512<uint> c = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref x, (nuint)k + 32)).AsUInt32();
                Vector512<uint> d = Vector512.ConvertToInt32(Vector512.LoadUnsafe(ref x, (nuint)k + 48)).AsUInt32();
                Vector512.Narrow(Vector512.Narrow(a, b), Vector512.Narrow(c, d)).StoreUnsafe(ref y, (nuint)k);
            }
        }

        for (; k < values.Length; k++)
        {
            Unsafe.Add(ref y, k) = (byte)Unsafe.Add(ref x, k);
        }
    }

    /// <summary>What happens to a widened vector before it is stored: nothing, or a standardizer's step.</summary>
    internal interface IWideningStep
    {
        TVector Apply<TSimd, TVector>(TVector value, nint k)
            where TSimd : ISimd<TVector>
            where TVector : struct;
    }

    /// <summary>The bytes as they are.</summary>
    internal readonly struct RawBytes : IWideningStep
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TSimd, TVector>(TVector value, nint k)
            where TSimd : ISimd<TVector>
            where TVector : struct => value;
    }

    /// <summary>
    /// x / divisor, then the step <typeparamref name="TThen"/>: the quotient rounded as the division of a byte by the divisor
    /// rounds it, so that bytes of pixels / 255 widen to the bits of the floats an IDX file's pixels / 255 would be.
    /// </summary>
    /// <remarks>
    /// A division costs as much as several multiplies (a vdivps per vector measured a tenth of a softmax epoch); instead
    /// q = x · (1 / d), corrected once by the residual, q + (x − q·d) · (1 / d), both steps fused multiply-adds: three
    /// instructions, and the quotient's bits for every byte (<see cref="ByteRowFormat.Divided"/> checks all 256).
    /// </remarks>
    internal readonly struct DividedBytes<TThen>(ByteRowFormat format, TThen then) : IWideningStep
        where TThen : struct, IWideningStep
    {
        private readonly float _divisor = format.Divisor;
        private readonly float _reciprocal = 1f / format.Divisor;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TSimd, TVector>(TVector value, nint k)
            where TSimd : ISimd<TVector>
            where TVector : struct => then.Apply<TSimd, TVector>(Quotient(value, _divisor, _reciprocal), k);
    }

    /// <summary>x / d by its reciprocal r, corrected once: q = x·r, then q + (x − q·d)·r, each step fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Quotient<TVector>(TVector value, float divisor, float reciprocal)
        where TVector : struct
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<float> x = Unsafe.As<TVector, Vector512<float>>(ref value), r = Vector512.Create(reciprocal);
            Vector512<float> q = x * r;
            q = Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(-q, Vector512.Create(divisor), x), r, q);
            return Unsafe.As<Vector512<float>, TVector>(ref q);
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<float> x = Unsafe.As<TVector, Vector256<float>>(ref value), r = Vector256.Create(reciprocal);
            Vector256<float> q = x * r;
            q = Vector256.FusedMultiplyAdd(Vector256.FusedMultiplyAdd(-q, Vector256.Create(divisor), x), r, q);
            return Unsafe.As<Vector256<float>, TVector>(ref q);
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<float> x = Unsafe.As<TVector, Vector128<float>>(ref value), r = Vector128.Create(reciprocal);
            Vector128<float> q = x * r;
            q = Vector128.FusedMultiplyAdd(Vector128.FusedMultiplyAdd(-q, Vector128.Create(divisor), x), r, q);
            return Unsafe.As<Vector128<float>, TVector>(ref q);
        }

        float one = Unsafe.As<TVector, float>(ref value);
        float quotient = one * reciprocal;
        quotient = MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(-quotient, divisor, one), reciprocal, quotient);
        return Unsafe.As<float, TVector>(ref quotient);
    }

    /// <summary>(x − mean) × scale, as <see cref="StandardizedInput.Standardize"/> takes it.</summary>
    internal readonly struct StandardizedBytes(Standardizer standardizer) : IWideningStep
    {
        private readonly float[] _means = standardizer.MeanArray;
        private readonly float[] _scales = standardizer.ScaleArray;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TVector Apply<TSimd, TVector>(TVector value, nint k)
            where TSimd : ISimd<TVector>
            where TVector : struct =>
            TSimd.Multiply(TSimd.Subtract(value, TSimd.Load(in MemoryMarshal.GetArrayDataReference(_means), k)), TSimd.Load(in MemoryMarshal.GetArrayDataReference(_scales), k));
    }
}
