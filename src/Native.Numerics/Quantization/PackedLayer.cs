using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.Quantization;

/// <summary>
/// A <see cref="QuantizedLayer"/> laid out for <see cref="Kernels.Quantized.ByteDotKernel"/>: for each group of four
/// inputs, the four weights of every output side by side (outputs padded to a multiple of 16, inputs to a multiple of 4,
/// the padding zero), 64-byte aligned; and per padded output its weight scale, bias and weight sum (for the zero point),
/// zero in the padding.
/// </summary>
internal sealed class PackedLayer
{
    private readonly AlignedBuffer _weights;
    private readonly AlignedBuffer _weightScales;
    private readonly AlignedBuffer _biases;
    private readonly AlignedBuffer _weightSums;

    public PackedLayer(QuantizedLayer layer, Activation? activation)
    {
        Inputs = layer.Inputs;
        Outputs = layer.Outputs;
        Groups = checked((layer.Inputs + 3) / 4);
        PaddedOutputs = AlignedBuffer.Pad(layer.Outputs);
        Activation = activation;
        InputScale = layer.InputScale;
        InputZeroPoint = layer.InputZeroPoint;
        InputInverse = 1f / layer.InputScale;

        // Bytes in a float buffer: a group of four inputs for one output is one float's four bytes.
        _weights = new AlignedBuffer(checked(Groups * PaddedOutputs));
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
                packed[(((i / 4 * PaddedOutputs) + o) * 4) + (i % 4)] = w;
                sum += w;
            }

            sums[o] = sum;
        }

        _weightScales = new AlignedBuffer(PaddedOutputs);
        layer.WeightScales.CopyTo(_weightScales.Span);
        _biases = new AlignedBuffer(PaddedOutputs);
        layer.Biases.CopyTo(_biases.Span);
    }

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
}
