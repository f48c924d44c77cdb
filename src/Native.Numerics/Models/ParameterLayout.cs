using System;
using System.Collections.Generic;

namespace Native.Numerics;

/// <summary>
/// Where a dense model keeps what it holds and what it computes: the one statement of the parameter layout, and of the
/// scratch memory laid out beside it. The library's models, the model files' readers and writers, the ONNX exchange and
/// the source generator all take their offsets from here. Plain C# over the BCL, so the generator compiles this same file.
/// </summary>
/// <remarks>
/// <para>
/// <b>Parameters</b>: one contiguous block; for each dense layer, bottom to top, its weights W (outputs × inputs,
/// row-major), then its biases b (one per output). A layer's block starts where the layer below ends.
/// </para>
/// <para>
/// <b>One row's scratch</b>: each hidden layer's outputs, bottom to top, each padded to <see cref="FloatsPerLine"/> floats
/// (a 64-byte line), so every layer's values start on a line and can be stored as whole vectors.
/// </para>
/// <para>
/// <b>A chunk's workspace</b>: for each layer, bottom to top, a slot of <see cref="ChunkRows"/> rows of its outputs, then
/// as many rows of its errors (<see cref="ChunkSlot"/>).
/// </para>
/// <para>
/// The per-layer rules are static, so a generated model's layer stack, whose sizes are constants, folds them to
/// constants; an instance applies them to a run-time shape once, its totals counted in 64 bits, and answers in O(1).
/// </para>
/// </remarks>
internal sealed class ParameterLayout
{
    /// <summary>The rows processed together in one forward and backward pass: a chunk's values and errors stay in cache.</summary>
    public const int ChunkRows = 64;

    /// <summary>Floats per 64-byte line: a row of scratch is padded to a whole number of them.</summary>
    public const int FloatsPerLine = 16;

    /// <summary>The longest array .NET allocates (<c>Array.MaxLength</c>, which netstandard2.0 lacks).</summary>
    public const int MaxArrayLength = 0x7FFFFFC7;

    // A parameter total past this is no longer counted (so no sum of products can overflow a long).
    private const long Saturated = long.MaxValue / 2;

    private readonly int[] _sizes;
    private readonly int[]? _weightOffsets;
    private readonly int[] _scratchOffsets;
    private readonly int[] _slotOffsets;
    private readonly long _parameters;
    private readonly long _rowScratch;
    private readonly long _chunkWorkspace;

    /// <summary>
    /// The layout of the layers <paramref name="layerSizes"/> describes (the features, each hidden layer's width, the
    /// outputs; each at least 1, as the callers have checked).
    /// </summary>
    public ParameterLayout(IReadOnlyList<int> layerSizes)
    {
        int layers = layerSizes.Count - 1;
        _sizes = new int[layers + 1];
        var weightOffsets = new int[layers];
        _scratchOffsets = new int[layers];
        _slotOffsets = new int[layers];
        _sizes[0] = layerSizes[0];
        long parameters = 0, scratch = 0, workspace = 0;
        for (int l = 0; l < layers; l++)
        {
            int inputs = layerSizes[l], outputs = layerSizes[l + 1];
            _sizes[l + 1] = outputs;

            // Offsets past an int are never read: the totals' accessors throw first.
            weightOffsets[l] = (int)Math.Min(parameters, int.MaxValue);
            _scratchOffsets[l] = (int)Math.Min(scratch, int.MaxValue);
            _slotOffsets[l] = (int)Math.Min(workspace, int.MaxValue);

            // Each term fits a long (at most 2^62 + 2^31); the sum stops counting once past any array.
            parameters = parameters >= Saturated ? Saturated : Math.Min(Saturated, parameters + LayerParameters(inputs, outputs));
            scratch += l < layers - 1 ? PaddedWidth(outputs) : 0;
            workspace += ChunkSlot(outputs);
        }

        _parameters = parameters;
        _weightOffsets = parameters <= MaxArrayLength ? weightOffsets : null;
        _rowScratch = scratch;
        _chunkWorkspace = workspace;
    }

    /// <summary>The number of dense layers.</summary>
    public int LayerCount => _sizes.Length - 1;

    /// <summary>The inputs of the bottom layer: the model's features.</summary>
    public int Features => _sizes[0];

    /// <summary>The outputs of the top layer.</summary>
    public int Outputs => _sizes[_sizes.Length - 1];

    /// <summary>
    /// Every layer's weights and biases together, counted in 64 bits: exact up to 2^62, where the count stops (no model of
    /// that size can exist; the callers refuse anything past <see cref="MaxArrayLength"/>).
    /// </summary>
    public long ParameterTotal => _parameters;

    /// <summary>Whether the parameters fit one array, as a model's block must.</summary>
    public bool FitsOneArray => ParameterTotal <= MaxArrayLength;

    /// <summary>The length of the parameter block.</summary>
    /// <exception cref="OverflowException">The parameters do not fit one array (<see cref="FitsOneArray"/>).</exception>
    public int ParameterCount => checked((int)Limit(ParameterTotal));

    /// <summary>Floats of one row's scratch: every hidden layer's outputs, each padded to <see cref="FloatsPerLine"/>.</summary>
    /// <exception cref="OverflowException">The layers are too wide for one row's scratch to be counted in an int.</exception>
    public int RowScratch => checked((int)_rowScratch);

    /// <summary>Floats of a chunk's workspace: each layer's slot (<see cref="ChunkSlot"/>).</summary>
    /// <exception cref="OverflowException">The layers are too wide for a chunk's workspace to be counted in an int.</exception>
    public int ChunkWorkspace => checked((int)_chunkWorkspace);

    /// <summary><see cref="ChunkWorkspace"/> counted in 64 bits, for an estimate of memory that must not fail.</summary>
    public long ChunkWorkspaceTotal => _chunkWorkspace;

    /// <summary>The inputs of layer <paramref name="layer"/>: the features, or the outputs of the layer below.</summary>
    public int LayerInputs(int layer) => _sizes[layer];

    /// <summary>The outputs of layer <paramref name="layer"/>.</summary>
    public int LayerOutputs(int layer) => _sizes[layer + 1];

    /// <summary>Where layer <paramref name="layer"/>'s weights start in the parameter block.</summary>
    /// <exception cref="OverflowException">The parameters do not fit one array.</exception>
    public int WeightOffset(int layer) => Offsets()[layer];

    /// <summary>Where layer <paramref name="layer"/>'s biases start in the parameter block: right after its weights.</summary>
    /// <exception cref="OverflowException">The parameters do not fit one array.</exception>
    public int BiasOffset(int layer) => Offsets()[layer] + (int)BiasStart(_sizes[layer], _sizes[layer + 1]);

    /// <summary>The number of layer <paramref name="layer"/>'s weights: outputs × inputs.</summary>
    public int WeightCount(int layer) => checked((int)BiasStart(_sizes[layer], _sizes[layer + 1]));

    /// <summary>Where hidden layer <paramref name="layer"/>'s outputs start in one row's scratch (valid once <see cref="RowScratch"/> is).</summary>
    public int ScratchOffset(int layer) => _scratchOffsets[layer];

    /// <summary>Where layer <paramref name="layer"/>'s slot starts in a chunk's workspace (valid once <see cref="ChunkWorkspace"/> is).</summary>
    public int SlotOffset(int layer) => _slotOffsets[layer];

    /// <summary>The floats of one dense layer's block: its weights, outputs × inputs, then its biases, one per output.</summary>
    public static long LayerParameters(long inputs, long outputs) => (inputs * outputs) + outputs;

    /// <summary>Where a layer's biases start within its block: after its outputs × inputs weights.</summary>
    public static long BiasStart(long inputs, long outputs) => inputs * outputs;

    /// <summary><paramref name="width"/> floats rounded up to whole lines of <see cref="FloatsPerLine"/>: a row of scratch.</summary>
    public static long PaddedWidth(long width) => (width + FloatsPerLine - 1) / FloatsPerLine * FloatsPerLine;

    /// <summary>A layer's slot in a chunk's workspace: <see cref="ChunkRows"/> rows of its outputs, then as many of its errors.</summary>
    public static long ChunkSlot(long outputs) => 2L * ChunkRows * outputs;

    /// <summary>Where a layer's error rows start within its slot: after its <see cref="ChunkRows"/> rows of outputs.</summary>
    public static long ErrorsStart(long outputs) => (long)ChunkRows * outputs;

    // The offsets, or the exception for parameters past one array, thrown from a method of its own so that the accessors
    // stay small enough to inline into the layers' loops.
    private int[] Offsets() => _weightOffsets ?? TooManyParameters();

    private static int[] TooManyParameters() => throw new OverflowException("The parameters do not fit one array.");

    // A total past any array reads as just past int's range, so a checked conversion of it fails.
    private static long Limit(long total) => Math.Min(total, (long)int.MaxValue + 1);
}
