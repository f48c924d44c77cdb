using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;

namespace Native.Numerics.Quantization;

/// <summary>One row of a one-layer model whose bytes and sums come from one pass: a calibrated softmax or logistic regression (issue 23's 784 × 10 row).</summary>
internal sealed partial class QuantizedModel<THead>
{
    // A one-layer fused model's weights interleaved by step, for one row at 256 bits (InterleavedKernel); null where the
    // layer does not fit it.
    private readonly AlignedBuffer? _interleaved;

    private AlignedBuffer? InterleavedWeights()
    {
        PackedLayer first = _layers[0];
        if (!_fused || _layers.Length != 1 || !InterleavedKernel.Fits(first.Inputs, first.Outputs))
        {
            return null;
        }

        ReadOnlySpan<sbyte> w = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, sbyte>(ref first.Weights), first.Outputs * first.InputBytes);
        return InterleavedKernel.Interleave(w, first.InputBytes, first.Inputs, first.Outputs);
    }

    // One row of a model of one layer whose bytes and sums come from one pass (FeatureKernel): a softmax or logistic
    // regression, calibrated. Where the products are 256-bit and the float steps 512-bit (Vnni256Vector512), the row's
    // float steps keep to 256-bit instructions too, the same bits (SoftmaxHalves for 9 to 16 classes): a 512-bit
    // instruction closes port 1 to the next row's products for a while (~100 cycles a 784 × 10 row, Emerald Rapids).
    // With interleaved weights and 256-bit floats the sums go to 16 ints on the stack and the logits stay in two registers
    // on their way to the head: no scratch, no logits stored and read back. Otherwise, OneLayerInScratch.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private int OneLayer<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref float x, ref float y)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TResult : struct, IQuantizedResult
    {
        bool narrow = TProducts.Lanes == Vector256<int>.Count && TSimd.Count == Vector512<float>.Count && Vector512.IsHardwareAccelerated;
        if (_interleaved is null || TProducts.Lanes != Vector256<int>.Count || !(narrow || TSimd.Count == Vector256<float>.Count))
        {
            return OneLayerInScratch<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref x, ref y);
        }

        Unsafe.SkipInit(out SixteenLanes<int> sums);
        if (!Interleaved<TProducts, TBytes, TInts>(ref x, ref sums[0]))
        {
            return Unanswered<TResult>(ref x, ref y);
        }

        // The logits as LevelKernel.Values computes them at 256 bits: the padding's weight scales and biases are 0, so its
        // lanes are 0 and finite, and the row's logits are finite when all 16 lanes are.
        PackedLayer layer = _layers[0];
        Vector256<float> scale = Vector256.Create(layer.InputScale), slopes = Vector256.Create(_slope);
        Vector256<float> low = LevelKernel.Value<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, scale, ref layer.WeightScales, ref layer.Biases, slopes, 0);
        Vector256<float> high = LevelKernel.Value<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, scale, ref layer.WeightScales, ref layer.Biases, slopes, Vector256<float>.Count);
        if ((low - low) + (high - high) != Vector256<float>.Zero)
        {
            return Unanswered<TResult>(ref x, ref y);
        }

        // Softmax of 9 to 16 classes where the batch computes it at 512 bits: SoftmaxHalves, the same bits. Every other head
        // gives the same bits at either width.
        if (narrow && typeof(THead) == typeof(SoftmaxHead) && !TResult.IsClass && typeof(TResult) != typeof(LogitsResult) && _outputs >= SoftmaxHalves.LeastClasses)
        {
            SoftmaxHalves.Probabilities(low, high, _outputs, ref y);
            return 0;
        }

        Unsafe.SkipInit(out SixteenLanes<float> logits);
        low.StoreUnsafe(ref logits[0]);
        high.StoreUnsafe(ref logits[0], (nuint)Vector256<float>.Count);
        return TResult.Finish<Simd256, Vector256<float>, THead>(ref logits[0], _outputs, ref y);
    }

    // One row of a one-layer fused model in the row's scratch: its sums (interleaved or row-major), logits and head.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private int OneLayerInScratch<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref float x, ref float y)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TResult : struct, IQuantizedResult
    {
        bool narrow = TProducts.Lanes == Vector256<int>.Count && TSimd.Count == Vector512<float>.Count && Vector512.IsHardwareAccelerated;
        PackedLayer layer = _layers[0];
        int length = RowScratch;
        ref float scratch = ref length <= StackFloats
            ? ref QuantizedWorkspace.Aligned(stackalloc float[length + AlignedBuffer.FloatsPerLine])
            : ref QuantizedWorkspace.Row(length);
        ref int sums = ref Ints(ref scratch);
        ref float logits = ref Unsafe.Add(ref scratch, (_rowBytes / sizeof(float)) + _rowInts);
        bool defined = _interleaved is not null && TProducts.Lanes == Vector256<int>.Count
            ? Interleaved<TProducts, TBytes, TInts>(ref x, ref sums)
            : FirstSums<TProducts, TBytes, TInts>(ref x, ref Bytes(ref scratch), ref sums);
        float scale = layer.InputScale;
        int zero = layer.InputZeroPoint;
        if (!defined)
        {
            return Unanswered<TResult>(ref x, ref y);
        }

        if (narrow)
        {
            LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums, ref layer.WeightSums, zero, scale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, _slope, ref logits);
        }
        else
        {
            LevelKernel.Values<TSimd, TVector, IdentityFunction>(ref sums, ref layer.WeightSums, zero, scale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, _slope, ref logits);
        }

        if (!PredictionPolicy.IsFinite(MemoryMarshal.CreateReadOnlySpan(ref logits, _outputs)))
        {
            return Unanswered<TResult>(ref x, ref y);
        }

        if (!narrow || (typeof(THead) == typeof(SoftmaxHead) && _outputs > SoftmaxHalves.MostClasses))
        {
            return TResult.Finish<TSimd, TVector, THead>(ref logits, _outputs, ref y);
        }

        // The heads give the same bits at 256 bits as at 512 (one-lane heads, softmax of at most 8 classes) but softmax of
        // 9 to 16 classes, which SoftmaxHalves computes as the 512-bit kernel does.
        if (typeof(THead) == typeof(SoftmaxHead) && !TResult.IsClass && typeof(TResult) != typeof(LogitsResult) && _outputs >= SoftmaxHalves.LeastClasses)
        {
            SoftmaxHalves.Probabilities(ref logits, _outputs, ref y);
            return 0;
        }

        return TResult.Finish<Simd256, Vector256<float>, THead>(ref logits, _outputs, ref y);
    }

    // The calls below are kept out of OneLayer, so its frame holds no map or span to zero on every call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Unanswered<TResult>(ref float x, ref float y)
        where TResult : struct, IQuantizedResult => TResult.NotFinite<THead>(MemoryMarshal.CreateReadOnlySpan(ref x, _features), _outputs, ref y, -1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool FirstSums<TProducts, TBytes, TInts>(ref float x, ref byte bytes, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct => First<TProducts, TBytes, TInts>(ref x, ref bytes, ref sums, out _, out _);

    // A row's first (and only) layer's sums from its interleaved weights (InterleavedKernel); false for a row whose
    // features are not all finite, or overflow.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Interleaved<TProducts, TBytes, TInts>(ref float x, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        ref byte weights = ref Unsafe.As<float, byte>(ref _interleaved!.Origin);
        if (Parameters.Standardizer is null)
        {
            ZeroPointMap uniform = ZeroPoint;
            return InterleavedKernel.Row<TProducts, TBytes, TInts, ZeroPointMap>(ref x, in uniform, _features, ref weights, _outputs, ref sums);
        }

        var map = new PerFeatureMap(ref _featureScales.Origin, ref _featureOffsets.Origin);
        return InterleavedKernel.Row<TProducts, TBytes, TInts, PerFeatureMap>(ref x, in map, _features, ref weights, _outputs, ref sums);
    }

    // Sixteen values on the stack: a one-layer row's sums or logits (at most 12 outputs, padded).
    [InlineArray(16)]
    private struct SixteenLanes<T>
        where T : unmanaged
    {
        private T _first;
    }
}
