using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;

namespace Native.Numerics.Quantization;

/// <summary>The passes of rows through the integer layers, at the path the instance runs on.</summary>
internal sealed partial class QuantizedModel<THead>
{
    // Rows a batch is taken in: each layer's sums for the chunk's rows, then each row's next bytes.
    private const int ChunkRows = 64;

    // Above this many floats of one row's scratch, the per-thread buffer is used instead of the stack.
    private const int StackFloats = 4096;

    private readonly PackedLayer[] _layers;
    private readonly int _features;
    private readonly int _outputs;
    private readonly float _slope;
    private readonly bool _perRow;

    // Whether one row's bytes and first sums come from one pass (FeatureKernel): calibrated, first layer in dot-product
    // form. A batch takes its rows' bytes, then the sums of blocks of rows (DotProductRowsKernel), which is faster:
    // Emerald Rapids, the 784 × 10 batch 112 → 94 ns per row.
    private readonly bool _fused;

    // Per feature, the affine map of a raw value: calibrated, straight to its byte's level; per row, to its standardized value.
    private readonly AlignedBuffer _featureScales;
    private readonly AlignedBuffer _featureOffsets;

    // One row's scratch: every layer's input bytes, one layer's sums, and floats for the logits (and per-row values).
    private readonly int _rowBytes;
    private readonly int _rowInts;
    private readonly int _rowFloats;

    // The features' map: with calibrated scales x ↦ x·(σ/s) + (z − μσ/s), the standardizer (μ, σ) folded into the first
    // layer's scale s and zero point z, so a raw feature becomes its byte's level in one multiply and one add; per row,
    // x ↦ x·σ − μσ, the standardized value whose range sets the row's scale. Computed in double, stored as float.
    private static (AlignedBuffer Scales, AlignedBuffer Offsets) InputMap(QuantizedParameters parameters)
    {
        int features = parameters.Shape.Features;
        var scales = new AlignedBuffer(features);
        var offsets = new AlignedBuffer(features);
        for (int j = 0; j < features; j++)
        {
            (scales.Span[j], offsets.Span[j]) = FeatureMap(parameters, j);
        }

        return (scales, offsets);
    }

    private (int Bytes, int Ints, int Floats) Scratch()
    {
        int bytes = 0, widest = 0;
        foreach (PackedLayer layer in _layers)
        {
            bytes = checked(bytes + layer.InputBytes);
            widest = Math.Max(widest, layer.PaddedOutputs);
        }

        return (bytes, widest, _perRow ? Math.Max(widest, AlignedBuffer.Pad(_features)) : widest);
    }

    // A calibrated first layer's map without a standardizer: its input scale's inverse and its zero point, rounded once.
    private ZeroPointMap ZeroPoint => new(_featureScales.Span[0], _layers[0].InputZeroPoint);

    // The floats one row's scratch takes (its bytes counted four to a float), a whole number of cache lines.
    private int RowScratch => (_rowBytes / sizeof(float)) + _rowInts + _rowFloats;

    // Apart from its callers, so their frames hold no job to zero on every call (the JIT zeroes 64 bytes at a time with
    // a 512-bit store: a 512-bit instruction in a 256-bit row).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private int OneRow<TResult>(ref float x, ref float y)
        where TResult : struct, IQuantizedResult
    {
        var job = new RowJob<TResult>(this, ref x, ref y);
        return IntegerDispatch.Run<RowJob<TResult>, int>(Path, ref job);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ManyRows<TResult>(ReadOnlySpan<float> rows, int count, ref float y, int width)
        where TResult : struct, IQuantizedResult
    {
        var job = new RowsJob<TResult>(this, ref MemoryMarshal.GetReference(rows), count, ref y, width);
        IntegerDispatch.Run<RowsJob<TResult>, int>(Path, ref job);
    }

    // One row: its bytes, the layers, then the head if the logits are finite.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private int Row<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref float x, ref float y)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TResult : struct, IQuantizedResult
    {
        int length = RowScratch;
        ref float scratch = ref length <= StackFloats
            ? ref QuantizedWorkspace.Aligned(stackalloc float[length + AlignedBuffer.FloatsPerLine])
            : ref QuantizedWorkspace.Row(length);
        ref float logits = ref Unsafe.Add(ref scratch, (_rowBytes / sizeof(float)) + _rowInts);
        bool finite = (_fused
                ? First<TProducts, TBytes, TInts>(ref x, ref Bytes(ref scratch), ref Ints(ref scratch), out float scale, out int zero)
                : Input<TSimd, TVector>(ref x, ref Bytes(ref scratch), ref logits, out scale, out zero))
            && Layers<TProducts, TBytes, TInts, TSimd, TVector>(ref Bytes(ref scratch), ref Ints(ref scratch), ref logits, scale, zero, summed: _fused)
            && PredictionPolicy.IsFinite(MemoryMarshal.CreateReadOnlySpan(ref logits, _outputs));
        return finite
            ? TResult.Finish<TSimd, TVector, THead>(ref logits, _outputs, ref y)
            : TResult.NotFinite<THead>(MemoryMarshal.CreateReadOnlySpan(ref x, _features), _outputs, ref y, -1);
    }

    // The row's bytes at the first layer's input bytes; false for a row whose features are not all finite, or overflow.
    // Without a standardizer every feature has the same map, held in registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Input<TSimd, TVector>(ref float x, ref byte bytes, ref float floats, out float scale, out int zero)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        if (Parameters.Standardizer is null)
        {
            return _perRow
                ? Input<TSimd, TVector, UniformMap>(ref x, new UniformMap(_featureScales.Span[0], _featureOffsets.Span[0]), ref bytes, ref floats, out scale, out zero)
                : Input<TSimd, TVector, ZeroPointMap>(ref x, ZeroPoint, ref bytes, ref floats, out scale, out zero);
        }

        return Input<TSimd, TVector, PerFeatureMap>(ref x, new PerFeatureMap(ref _featureScales.Origin, ref _featureOffsets.Origin), ref bytes, ref floats, out scale, out zero);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Input<TSimd, TVector, TMap>(ref float x, in TMap map, ref byte bytes, ref float floats, out float scale, out int zero)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct
    {
        if (!_perRow)
        {
            scale = _layers[0].InputScale;
            zero = _layers[0].InputZeroPoint;
            return LevelKernel.Features<TSimd, TVector, TMap>(ref x, in map, _features, ref bytes);
        }

        LevelKernel.Range range = LevelKernel.Affine<TSimd, TVector, TMap>(ref x, in map, _features, ref floats);
        (scale, zero) = Quantizer.ScaleOf(range.Lowest, range.Highest);
        if (!range.IsFinite)
        {
            return false;
        }

        LevelKernel.Levels<TSimd, TVector>(ref floats, _features, 1f / scale, zero, ref bytes);
        return true;
    }

    // A row's bytes and its first layer's sums in one pass (FeatureKernel), for a calibrated first layer in dot-product
    // form; false for a row whose features are not all finite, or overflow.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool First<TProducts, TBytes, TInts>(ref float x, ref byte bytes, ref int sums, out float scale, out int zero)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        PackedLayer first = _layers[0];
        scale = first.InputScale;
        zero = first.InputZeroPoint;
        if (Parameters.Standardizer is null)
        {
            ZeroPointMap uniform = ZeroPoint;
            return FeatureKernel.Row<TProducts, TBytes, TInts, ZeroPointMap>(ref x, in uniform, _features, ref bytes, ref first.Weights, first.InputBytes, first.Outputs, ref sums);
        }

        var map = new PerFeatureMap(ref _featureScales.Origin, ref _featureOffsets.Origin);
        return FeatureKernel.Row<TProducts, TBytes, TInts, PerFeatureMap>(ref x, in map, _features, ref bytes, ref first.Weights, first.InputBytes, first.Outputs, ref sums);
    }

    // The layers of one row, from its input bytes to its logits; the first layer's sums already made when summed.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Layers<TProducts, TBytes, TInts, TSimd, TVector>(ref byte bytes, ref int sums, ref float logits, float scale, int zero, bool summed)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        ref byte input = ref bytes;
        for (int l = 0; ; l++)
        {
            PackedLayer layer = _layers[l];
            if (l > 0 || !summed)
            {
                layer.Sums<TProducts, TBytes, TInts>(ref input, ref sums);
            }

            if (l == _layers.Length - 1)
            {
                LevelKernel.Values<TSimd, TVector, IdentityFunction>(ref sums, ref layer.WeightSums, zero, scale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, _slope, ref logits);
                return true;
            }

            ref byte next = ref Unsafe.Add(ref input, layer.InputBytes);
            Hidden<TSimd, TVector>(l, ref sums, ref scale, ref zero, ref logits, ref next);
            input = ref next;
        }
    }

    // Hidden layer l's sums to the next layer's bytes, through its activation; scale and zero become the next layer's.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Hidden<TSimd, TVector>(int l, ref int sums, ref float scale, ref int zero, ref float floats, ref byte next)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        switch (_layers[l].Activation)
        {
            case Activation.Relu: Hidden<TSimd, TVector, ReluFunction>(l, ref sums, ref scale, ref zero, ref floats, ref next); break;
            case Activation.LeakyRelu: Hidden<TSimd, TVector, LeakyReluFunction>(l, ref sums, ref scale, ref zero, ref floats, ref next); break;
            case Activation.Sigmoid: Hidden<TSimd, TVector, SigmoidFunction>(l, ref sums, ref scale, ref zero, ref floats, ref next); break;
            default: Hidden<TSimd, TVector, TanhFunction>(l, ref sums, ref scale, ref zero, ref floats, ref next); break;
        }
    }

    private void Hidden<TSimd, TVector, TActivation>(int l, ref int sums, ref float scale, ref int zero, ref float floats, ref byte next)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        PackedLayer layer = _layers[l], above = _layers[l + 1];
        if (!_perRow)
        {
            LevelKernel.Bytes<TSimd, TVector, TActivation>(
                ref sums, ref layer.WeightSums, zero, scale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, _slope,
                above.InputInverse, above.InputZeroPoint, ref next);
            scale = above.InputScale;
            zero = above.InputZeroPoint;
            return;
        }

        LevelKernel.Values<TSimd, TVector, TActivation>(ref sums, ref layer.WeightSums, zero, scale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, _slope, ref floats);
        LevelKernel.Range range = LevelKernel.Span<TSimd, TVector>(ref floats, layer.Outputs);
        (scale, zero) = Quantizer.ScaleOf(range.Lowest, range.Highest);
        LevelKernel.Levels<TSimd, TVector>(ref floats, layer.PaddedOutputs, 1f / scale, zero, ref next);
    }

    // Many rows, a chunk at a time: every row's bytes, then per layer the chunk's sums (blocks of rows sharing each weight
    // load) and each row's next bytes, then the heads. The chunk's workspace: each layer's input bytes for all its rows, the sums, then each row's floats.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private void Rows<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref float x, int count, ref float y, int width)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TResult : struct, IQuantizedResult
    {
        ref float workspace = ref QuantizedWorkspace.Chunk(ChunkRows * RowScratch);
        ref byte bytes = ref Bytes(ref workspace);
        ref int sums = ref Unsafe.As<float, int>(ref Unsafe.Add(ref workspace, ChunkRows * _rowBytes / sizeof(float)));
        ref float floats = ref Unsafe.Add(ref workspace, ChunkRows * ((_rowBytes / sizeof(float)) + _rowInts));
        Span<bool> finite = stackalloc bool[ChunkRows];
        Span<float> scales = stackalloc float[ChunkRows];
        Span<int> zeros = stackalloc int[ChunkRows];
        for (int start = 0; start < count; start += ChunkRows)
        {
            int n = Math.Min(ChunkRows, count - start);
            ref float rows = ref Unsafe.Add(ref x, (nint)start * _features);
            int stride = _layers[0].InputBytes;
            for (int r = 0; r < n; r++)
            {
                ref float row = ref Unsafe.Add(ref rows, (nint)r * _features);
                finite[r] = Input<TSimd, TVector>(ref row, ref Unsafe.Add(ref bytes, r * stride), ref Unsafe.Add(ref floats, r * _rowFloats), out scales[r], out zeros[r]);
            }

            ref byte input = ref bytes;
            for (int l = 0; l < _layers.Length; l++)
            {
                PackedLayer layer = _layers[l];
                layer.Sums<TProducts, TBytes, TInts>(ref input, n, ref sums);

                ref byte next = ref Unsafe.Add(ref input, n * stride);
                int nextStride = l + 1 < _layers.Length ? _layers[l + 1].InputBytes : 0;
                for (int r = 0; r < n; r++)
                {
                    if (!finite[r])
                    {
                        continue;
                    }

                    ref int rowSums = ref Unsafe.Add(ref sums, r * layer.PaddedOutputs);
                    ref float rowFloats = ref Unsafe.Add(ref floats, r * _rowFloats);
                    if (l == _layers.Length - 1)
                    {
                        LevelKernel.Values<TSimd, TVector, IdentityFunction>(ref rowSums, ref layer.WeightSums, zeros[r], scales[r], ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, _slope, ref rowFloats);
                    }
                    else
                    {
                        Hidden<TSimd, TVector>(l, ref rowSums, ref scales[r], ref zeros[r], ref rowFloats, ref Unsafe.Add(ref next, r * nextStride));
                    }
                }

                input = ref next;
                stride = nextStride;
            }

            for (int r = 0; r < n; r++)
            {
                ref float logits = ref Unsafe.Add(ref floats, r * _rowFloats);
                ref float destination = ref Unsafe.Add(ref y, (nint)(start + r) * width);
                int result = finite[r] && PredictionPolicy.IsFinite(MemoryMarshal.CreateReadOnlySpan(ref logits, _outputs))
                    ? TResult.Finish<TSimd, TVector, THead>(ref logits, _outputs, ref destination)
                    : TResult.NotFinite<THead>(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref rows, (nint)r * _features), _features), _outputs, ref destination, start + r);
                if (TResult.IsClass)
                {
                    Unsafe.As<float, int>(ref destination) = result;
                }
            }
        }
    }

    private static ref byte Bytes(ref float scratch) => ref Unsafe.As<float, byte>(ref scratch);

    private ref int Ints(ref float scratch) => ref Unsafe.As<float, int>(ref Unsafe.Add(ref scratch, _rowBytes / sizeof(float)));

    // The operations IntegerDispatch runs at the instance's path.
    private readonly ref struct RowJob<TResult>(QuantizedModel<THead> model, ref float x, ref float y) : IIntegerOperation<int>
        where TResult : struct, IQuantizedResult
    {
        private readonly ref float _x = ref x;
        private readonly ref float _y = ref y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct =>
            model._fused && model._layers.Length == 1
                ? model.OneLayer<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref _x, ref _y)
                : model.Row<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref _x, ref _y);
    }

    private readonly ref struct RowsJob<TResult>(QuantizedModel<THead> model, ref float x, int count, ref float y, int width) : IIntegerOperation<int>
        where TResult : struct, IQuantizedResult
    {
        private readonly ref float _x = ref x;
        private readonly ref float _y = ref y;

        public int Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            model.Rows<TProducts, TBytes, TInts, TSimd, TVector, TResult>(ref _x, count, ref _y, width);
            return 0;
        }
    }
}
