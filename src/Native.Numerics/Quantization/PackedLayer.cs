using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;

namespace Native.Numerics.Quantization;

/// <summary>How a packed layer's weights are laid out, and so which kernel sums its products.</summary>
internal enum LayerForm
{
    /// <summary>
    /// Outputs in lanes (<see cref="BroadcastKernel"/>): for each group of four inputs, the four weights of every output
    /// side by side, outputs padded to a multiple of 16.
    /// </summary>
    Broadcast,

    /// <summary>Row-major (<see cref="DotProductKernel"/>): each output's weights in a row of <see cref="PackedLayer.InputBytes"/>.</summary>
    DotProduct,
}

/// <summary>
/// A <see cref="QuantizedLayer"/> laid out for its kernel (<see cref="LayerForm"/>), the padding zero, 64-byte aligned;
/// and per output, padded to a multiple of 16, its weight scale, bias and weight sum (for the zero point), zero in the
/// padding.
/// </summary>
internal sealed class PackedLayer
{
    private readonly AlignedBuffer _weights;
    private readonly AlignedBuffer _weightScales;
    private readonly AlignedBuffer _biases;
    private readonly AlignedBuffer _weightSums;

    /// <summary>Packs <paramref name="layer"/> in <paramref name="form"/>, or in the form of fewer instructions for its shape.</summary>
    public PackedLayer(QuantizedLayer layer, Activation? activation, LayerForm? form = null)
    {
        Inputs = layer.Inputs;
        Outputs = layer.Outputs;
        Groups = checked((layer.Inputs + 3) / 4);
        PaddedOutputs = AlignedBuffer.Pad(layer.Outputs);
        Activation = activation;
        InputScale = layer.InputScale;
        InputZeroPoint = layer.InputZeroPoint;
        InputInverse = 1f / layer.InputScale;

        Form = form ?? Cheaper(Groups, Outputs);

        // Bytes in a float buffer, four to a float.
        _weights = new AlignedBuffer(Form == LayerForm.Broadcast ? checked(Groups * PaddedOutputs) : checked(Outputs * InputBytes / 4));
        Span<sbyte> packed = System.Runtime.InteropServices.MemoryMarshal.Cast<float, sbyte>(_weights.Span);
        ReadOnlySpan<sbyte> weights = layer.Weights;
        _weightSums = new AlignedBuffer(PaddedOutputs);
        Span<int> sums = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(_weightSums.Span);
        for (int o = 0; o < Outputs; o++)
        {
            int sum = 0;
            for (int i = 0; i < Inputs; i++)
            {
                sbyte w = weights[(o * Inputs) + i];
                packed[Form == LayerForm.Broadcast ? (((i / 4 * PaddedOutputs) + o) * 4) + (i % 4) : (o * InputBytes) + i] = w;
                sum += w;
            }

            sums[o] = sum;
        }

        _weightScales = new AlignedBuffer(PaddedOutputs);
        layer.WeightScales.CopyTo(_weightScales.Span);
        _biases = new AlignedBuffer(PaddedOutputs);
        layer.Biases.CopyTo(_biases.Span);
    }

    /// <summary>How the weights are laid out.</summary>
    public LayerForm Form { get; }

    /// <summary>The layer's inputs.</summary>
    public int Inputs { get; }

    /// <summary>The layer's outputs.</summary>
    public int Outputs { get; }

    /// <summary>Groups of four inputs (the last padded).</summary>
    public int Groups { get; }

    /// <summary>The outputs rounded up to a multiple of 16.</summary>
    public int PaddedOutputs { get; }

    /// <summary>The hidden layer's activation, or null for the output layer.</summary>
    public Activation? Activation { get; }

    /// <summary>The calibrated input scale (1 with per-row scaling).</summary>
    public float InputScale { get; }

    /// <summary>1 / <see cref="InputScale"/>.</summary>
    public float InputInverse { get; }

    /// <summary>The calibrated input zero point (0 with per-row scaling).</summary>
    public int InputZeroPoint { get; }

    /// <summary>The packed weights.</summary>
    public ref byte Weights => ref Unsafe.As<float, byte>(ref _weights.Origin);

    /// <summary>Per padded output, the weight scale.</summary>
    public ref float WeightScales => ref _weightScales.Origin;

    /// <summary>Per padded output, the bias.</summary>
    public ref float Biases => ref _biases.Origin;

    /// <summary>Per padded output, the sum of its weights: the zero point's share of a sum is zero × this.</summary>
    public ref int WeightSums => ref Unsafe.As<float, int>(ref _weightSums.Origin);

    /// <summary>The bytes one row's input to this layer takes, a whole number of cache lines.</summary>
    public int InputBytes => checked(AlignedBuffer.Pad(Groups) * 4);

    /// <summary>sums[o] = Σ_i input[i]·W[o, i], for every padded output of the broadcast form, every output of the dot-product form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Sums<TProducts, TBytes, TInts>(ref byte input, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        if (Form == LayerForm.Broadcast)
        {
            BroadcastKernel.Row<TProducts, TBytes, TInts>(ref input, ref Weights, Groups, PaddedOutputs, ref sums);
        }
        else
        {
            DotProductKernel.Row<TProducts, TBytes, TInts>(ref input, ref Weights, InputBytes, Inputs, Outputs, ref sums);
        }
    }

    /// <summary>The sums of <paramref name="rows"/> rows, <see cref="InputBytes"/> apart; each row's <see cref="PaddedOutputs"/> sums after the last's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Sums<TProducts, TBytes, TInts>(ref byte input, int rows, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        if (Form == LayerForm.Broadcast)
        {
            BroadcastKernel.Rows<TProducts, TBytes, TInts>(ref input, InputBytes, rows, ref Weights, Groups, PaddedOutputs, ref sums);
            return;
        }

        // Blocks of rows, each weight vector loaded once for the block: the weights of a layer of few outputs stay in L1.
        DotProductRowsKernel.Rows<TProducts, TBytes, TInts>(ref input, InputBytes, rows, ref Weights, InputBytes, Inputs, Outputs, ref sums, PaddedOutputs);
    }

    // The form of fewer 512-bit multiply-adds: a step per group of four inputs and vector of 16 outputs, against a step
    // per 64 inputs and output plus a reduction across lanes (about two steps' worth) per output. MNIST's 784 × 10 head:
    // 196 against 150; its 784 × 128 layer: 1,568 against 1,920; a logistic regression's one output: always the row.
    private static LayerForm Cheaper(int groups, int outputs)
    {
        long broadcast = (long)groups * ((outputs + 15) / 16);
        long dotProduct = ((long)(groups + 15) / 16 * outputs) + (2L * outputs);
        return dotProduct < broadcast ? LayerForm.DotProduct : LayerForm.Broadcast;
    }
}
