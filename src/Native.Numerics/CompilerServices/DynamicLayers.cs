using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The layer stack of a run-time-shaped model: the same steps (<see cref="Layers"/>) as the generated stacks
/// (<see cref="OutputLayer{TShape}"/>, <see cref="HiddenLayer{TShape, TActivation, TNext}"/>), in a loop over layers whose
/// sizes and offsets the shape's <see cref="ParameterLayout"/> gives, each hidden layer's activation chosen by a switch.
/// </summary>
internal readonly struct DynamicLayers : IDenseLayers
{
    private readonly ParameterLayout _layout;
    private readonly Activation[] _activations;

    /// <summary>The stack of <paramref name="shape"/>'s layers.</summary>
    /// <exception cref="OverflowException">The layers are too wide for the per-thread scratch sizes to be counted (--hidden 20000000).</exception>
    public DynamicLayers(ModelShape shape)
    {
        _layout = shape.Layout;
        _activations = [.. shape.HiddenActivations];

        // The per-thread scratch sizes, once and checked: a layer too wide for them fails here, not later as a negative length.
        RowScratch = _layout.RowScratch;
        ChunkWorkspace = _layout.ChunkWorkspace;
    }

    public int Features => _layout.Features;

    public int Outputs => _layout.Outputs;

    public int ParameterCount => _layout.ParameterCount;

    public int RowScratch { get; }

    public int ChunkWorkspace { get; }

    private int Top => _layout.LayerCount - 1;

    // Fully optimized from the first call: a profile of the tiers before would decide whether the output layer's kernel is
    // inlined here, and a run-time regression's one-row prediction is mostly that call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IDenseLayers.ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, TInput input, ref float top, ref float scratch, float slope)
    {
        // One layer (the regressions): straight to the output.
        int last = Top;
        if (last == 0)
        {
            OutputRow<TSimd, TVector, TInput>(ref parameters, in x, input, ref top, slope);
            return;
        }

        // The bottom layer reads x through the input; each layer above reads the outputs of the one below, in the scratch.
        HiddenRow<TSimd, TVector, TInput>(0, ref parameters, in x, input, ref scratch, slope);
        for (int l = 1; l < last; l++)
        {
            HiddenRow<TSimd, TVector, RawInput>(l, ref parameters, in Unsafe.Add(ref scratch, _layout.ScratchOffset(l - 1)), default, ref scratch, slope);
        }

        OutputRow<TSimd, TVector, RawInput>(ref parameters, in Unsafe.Add(ref scratch, _layout.ScratchOffset(last - 1)), default, ref top, slope);
    }

    // The output layer of one row, into top.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void OutputRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, TInput input, ref float top, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct =>
        Layers.ForwardRow<TSimd, TVector, DenseShape, IdentityFunction, TInput>(Shape(Top), ref Unsafe.Add(ref parameters, _layout.WeightOffset(Top)), in x, input, ref top, slope);

    // Hidden layer l of one row, into its place in the scratch. A method of its own, so that the row's method inlines the
    // kernel's entry once per activation here rather than once per activation and input there.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void HiddenRow<TSimd, TVector, TInput>(int l, ref float parameters, ref readonly float x, TInput input, ref float scratch, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        DenseShape shape = Shape(l);
        ref float layer = ref Unsafe.Add(ref parameters, _layout.WeightOffset(l));
        ref float y = ref Unsafe.Add(ref scratch, _layout.ScratchOffset(l));
        switch (_activations[l])
        {
            case Activation.Relu:
                Layers.ForwardRow<TSimd, TVector, DenseShape, ReluFunction, TInput>(shape, ref layer, in x, input, ref y, slope);
                break;
            case Activation.LeakyRelu:
                Layers.ForwardRow<TSimd, TVector, DenseShape, LeakyReluFunction, TInput>(shape, ref layer, in x, input, ref y, slope);
                break;
            case Activation.Sigmoid:
                Layers.ForwardRow<TSimd, TVector, DenseShape, SigmoidFunction, TInput>(shape, ref layer, in x, input, ref y, slope);
                break;
            default:
                Layers.ForwardRow<TSimd, TVector, DenseShape, TanhFunction, TInput>(shape, ref layer, in x, input, ref y, slope);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    ref float IDenseLayers.ForwardChunk<TSimd, TVector, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, float slope)
    {
        // The bottom layer reads the chunk's rows through the reader; each layer above reads the outputs of the one below,
        // in that layer's slot of the workspace.
        int n = input.Count;
        ForwardLayer<TSimd, TVector, TInput>(0, ref parameters, in input, reader, ref workspace, slope);
        for (int l = 1; l <= Top; l++)
        {
            Rows rows = new(in Unsafe.Add(ref workspace, _layout.SlotOffset(l - 1)), _layout.LayerInputs(l), n);
            ForwardLayer<TSimd, TVector, RawInput>(l, ref parameters, in rows, default, ref workspace, slope);
        }

        return ref Unsafe.Add(ref workspace, _layout.SlotOffset(Top));
    }

    // Layer l of a chunk, its outputs into its slot of the workspace.
    private void ForwardLayer<TSimd, TVector, TInput>(int l, ref float parameters, scoped in Rows rows, TInput reader, ref float workspace, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        DenseShape shape = Shape(l);
        ref float layer = ref Unsafe.Add(ref parameters, _layout.WeightOffset(l));
        ref float slot = ref Unsafe.Add(ref workspace, _layout.SlotOffset(l));
        switch (ActivationOf(l))
        {
            case Activation.Relu:
                Layers.ForwardChunk<TSimd, TVector, DenseShape, ReluFunction, TInput>(shape, ref layer, in rows, reader, ref slot, slope);
                break;
            case Activation.LeakyRelu:
                Layers.ForwardChunk<TSimd, TVector, DenseShape, LeakyReluFunction, TInput>(shape, ref layer, in rows, reader, ref slot, slope);
                break;
            case Activation.Sigmoid:
                Layers.ForwardChunk<TSimd, TVector, DenseShape, SigmoidFunction, TInput>(shape, ref layer, in rows, reader, ref slot, slope);
                break;
            case Activation.Tanh:
                Layers.ForwardChunk<TSimd, TVector, DenseShape, TanhFunction, TInput>(shape, ref layer, in rows, reader, ref slot, slope);
                break;
            default: // none: the output layer
                Layers.ForwardChunk<TSimd, TVector, DenseShape, IdentityFunction, TInput>(shape, ref layer, in rows, reader, ref slot, slope);
                break;
        }
    }

    void IDenseLayers.BackwardChunk<TSimd, TVector, TMode, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, ref float destination, scoped TMode mode, float slope, scoped ErrorsBelow below)
    {
        // Top down: each layer's errors are in its slot (the top's from the head, the others carried down by the layer above).
        // Above the bottom layer, the rows below are the outputs in the slot of the layer under, and their errors go to its
        // error rows; the bottom layer reads the model's input through the reader, and its errors go where asked.
        int n = input.Count;
        for (int l = Top; l > 0; l--)
        {
            int under = _layout.SlotOffset(l - 1);
            Rows rows = new(in Unsafe.Add(ref workspace, under), _layout.LayerInputs(l), n);
            var errors = new ErrorsBelow(ref Unsafe.Add(ref workspace, under + (nint)ParameterLayout.ErrorsStart(_layout.LayerInputs(l))));
            BackwardLayer<TSimd, TVector, TMode, RawInput>(l, ref parameters, in rows, default, ref workspace, ref destination, mode, slope, errors);
        }

        BackwardLayer<TSimd, TVector, TMode, TInput>(0, ref parameters, in input, reader, ref workspace, ref destination, mode, slope, below);
    }

    // Layer l's backward step, with its activation (none for the output layer).
    private void BackwardLayer<TSimd, TVector, TMode, TInput>(int l, ref float parameters, scoped in Rows rows, TInput reader, ref float workspace, ref float destination, scoped TMode mode, float slope, scoped ErrorsBelow errors)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMode : IPassMode, allows ref struct
        where TInput : struct, IRowInput, allows ref struct
    {
        DenseShape shape = Shape(l);
        ref float layer = ref Unsafe.Add(ref parameters, _layout.WeightOffset(l));
        ref float slot = ref Unsafe.Add(ref workspace, _layout.SlotOffset(l));
        ref float gradient = ref Unsafe.Add(ref destination, _layout.WeightOffset(l));
        switch (ActivationOf(l))
        {
            case Activation.Relu:
                Layers.Backward<TSimd, TVector, DenseShape, ReluFunction, TMode, TInput>(shape, ref layer, in rows, reader, ref slot, ref gradient, mode, slope, errors);
                break;
            case Activation.LeakyRelu:
                Layers.Backward<TSimd, TVector, DenseShape, LeakyReluFunction, TMode, TInput>(shape, ref layer, in rows, reader, ref slot, ref gradient, mode, slope, errors);
                break;
            case Activation.Sigmoid:
                Layers.Backward<TSimd, TVector, DenseShape, SigmoidFunction, TMode, TInput>(shape, ref layer, in rows, reader, ref slot, ref gradient, mode, slope, errors);
                break;
            case Activation.Tanh:
                Layers.Backward<TSimd, TVector, DenseShape, TanhFunction, TMode, TInput>(shape, ref layer, in rows, reader, ref slot, ref gradient, mode, slope, errors);
                break;
            default: // none: the output layer
                Layers.Backward<TSimd, TVector, DenseShape, IdentityFunction, TMode, TInput>(shape, ref layer, in rows, reader, ref slot, ref gradient, mode, slope, errors);
                break;
        }
    }

    // Layer l's activation, or none for the output layer, whose values go to the head as they are.
    private Activation? ActivationOf(int layer) => layer < Top ? _activations[layer] : null;

    private DenseShape Shape(int layer) => new(_layout.LayerInputs(layer), _layout.LayerOutputs(layer));
}
