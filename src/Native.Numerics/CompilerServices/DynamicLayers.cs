using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The layer stack of a run-time-shaped model: the same kernels and the same steps as the generated stacks
/// (<see cref="OutputLayer{TShape}"/>, <see cref="HiddenLayer{TShape, TActivation, TNext}"/>), in a loop over layers
/// whose sizes are read from arrays, and an activation chosen per layer by a switch.
/// </summary>
internal readonly struct DynamicLayers : IDenseLayers
{
    private readonly int[] _sizes;
    private readonly Activation[] _activations;
    private readonly int[] _parameterOffsets;

    /// <summary>The stack of <paramref name="shape"/>'s layers, offsets computed once.</summary>
    public DynamicLayers(ModelShape shape)
    {
        _sizes = [.. shape.LayerSizes];
        _activations = [.. shape.HiddenActivations];
        _parameterOffsets = new int[_sizes.Length];
        int offset = 0;
        for (int l = 0; l < LayerCount; l++)
        {
            _parameterOffsets[l] = offset;
            offset += (_sizes[l] * _sizes[l + 1]) + _sizes[l + 1];
        }

        _parameterOffsets[LayerCount] = offset;

        // The per-thread scratch sizes, once and checked: a layer too wide for them (--hidden 20000000) fails here,
        // as an OverflowException, not later as a negative length.
        for (int l = 1; l <= LayerCount; l++)
        {
            RowScratch = checked(RowScratch + (l < LayerCount ? AlignedBuffer.Pad(_sizes[l]) : 0));
            ChunkWorkspace = checked(ChunkWorkspace + (2 * ModelWorkspace.ChunkRows * _sizes[l]));
        }
    }

    public int Features => _sizes[0];

    public int Outputs => _sizes[^1];

    public int ParameterCount => _parameterOffsets[^1];

    public int RowScratch { get; }

    public int ChunkWorkspace { get; }

    private int LayerCount => _sizes.Length - 1;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IDenseLayers.ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, ref float means, ref float scales, ref float top, ref float scratch, float slope)
    {
        ref readonly float input = ref x;
        for (int l = 0; l < LayerCount; l++)
        {
            DenseShape shape = Shape(l);
            ref float w = ref Unsafe.Add(ref parameters, _parameterOffsets[l]);
            ref float b = ref Unsafe.Add(ref w, shape.Inputs * shape.Outputs);
            if (l == LayerCount - 1)
            {
                Layer<TSimd, TVector, IdentityFunction, TInput>(l, shape, ref w, ref b, in input, ref means, ref scales, ref top, slope);
                return;
            }

            switch (_activations[l])
            {
                case Activation.Relu:
                    Layer<TSimd, TVector, ReluFunction, TInput>(l, shape, ref w, ref b, in input, ref means, ref scales, ref scratch, slope);
                    break;
                case Activation.LeakyRelu:
                    Layer<TSimd, TVector, LeakyReluFunction, TInput>(l, shape, ref w, ref b, in input, ref means, ref scales, ref scratch, slope);
                    break;
                case Activation.Sigmoid:
                    Layer<TSimd, TVector, SigmoidFunction, TInput>(l, shape, ref w, ref b, in input, ref means, ref scales, ref scratch, slope);
                    break;
                default:
                    Layer<TSimd, TVector, TanhFunction, TInput>(l, shape, ref w, ref b, in input, ref means, ref scales, ref scratch, slope);
                    break;
            }

            input = ref scratch;
            scratch = ref Unsafe.Add(ref scratch, AlignedBuffer.Pad(shape.Outputs));
        }
    }

    // Layer l of one row: the bottom layer reads x through TInput, the layers above read the scratch below them as is.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Layer<TSimd, TVector, TActivation, TInput>(int l, DenseShape shape, ref float w, ref float b, ref readonly float x, ref float means, ref float scales, ref float y, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput
    {
        if (l == 0)
        {
            RowKernel.Forward<TSimd, TVector, DenseShape, TActivation, TInput>(shape, ref w, ref b, in x, ref means, ref scales, ref y, slope);
        }
        else
        {
            RowKernel.Forward<TSimd, TVector, DenseShape, TActivation, RawInput>(shape, ref w, ref b, in x, ref Unsafe.NullRef<float>(), ref Unsafe.NullRef<float>(), ref y, slope);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    ref float IDenseLayers.ForwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, float slope)
    {
        // Each layer's outputs in its slot of the workspace, then read by the layer above as its rows.
        int n = input.Count;
        int slot = 0;
        for (int l = 0; ; l++)
        {
            DenseShape shape = Shape(l);
            ref float w = ref Unsafe.Add(ref parameters, _parameterOffsets[l]);
            ref float outputs = ref Unsafe.Add(ref workspace, slot);
            if (l == 0)
            {
                ForwardKernel.Rows<TSimd, TVector, DenseShape>(shape, in input, ref w, ref Unsafe.Add(ref w, shape.Inputs * shape.Outputs), ref outputs);
            }
            else
            {
                Rows below = new(in Unsafe.Add(ref workspace, slot - (2 * ModelWorkspace.ChunkRows * shape.Inputs)), shape.Inputs, n);
                ForwardKernel.Rows<TSimd, TVector, DenseShape>(shape, in below, ref w, ref Unsafe.Add(ref w, shape.Inputs * shape.Outputs), ref outputs);
            }

            if (l == LayerCount - 1)
            {
                return ref outputs;
            }

            Activate<TSimd, TVector>(_activations[l], ref outputs, n * shape.Outputs, slope);
            slot += 2 * ModelWorkspace.ChunkRows * shape.Outputs;
        }
    }

    void IDenseLayers.BackwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, ref float destination, float step, float slope, ref float below, bool propagate)
    {
        // Each layer's outputs start at the sum of the slots below it; its errors follow its outputs.
        int n = input.Count;
        int top = LayerCount - 1;
        int start = ChunkWorkspace - (2 * ModelWorkspace.ChunkRows * _sizes[^1]);
        for (int l = top; l >= 0; l--)
        {
            DenseShape shape = Shape(l);
            ref float errors = ref Unsafe.Add(ref workspace, start + (ModelWorkspace.ChunkRows * shape.Outputs));
            if (l < top)
            {
                MultiplyByDerivative<TSimd, TVector>(_activations[l], ref Unsafe.Add(ref workspace, start), ref errors, n * shape.Outputs, slope);
            }

            // The rows below: the input for the bottom layer, else the outputs of the layer under this one.
            int startBelow = l == 0 ? 0 : start - (2 * ModelWorkspace.ChunkRows * _sizes[l]);
            Rows rows = l == 0 ? input : new Rows(in Unsafe.Add(ref workspace, startBelow), shape.Inputs, n);
            ref float belowErrors = ref l == 0 ? ref below : ref Unsafe.Add(ref workspace, startBelow + (ModelWorkspace.ChunkRows * shape.Inputs));
            Layers.Backward<TSimd, TVector, DenseShape>(
                shape, ref Unsafe.Add(ref parameters, _parameterOffsets[l]), in rows, ref errors, ref Unsafe.Add(ref destination, _parameterOffsets[l]), step, ref belowErrors, propagate: l > 0 || propagate);
            start = startBelow;
        }
    }

    private DenseShape Shape(int layer) => new(_sizes[layer], _sizes[layer + 1]);

    private static void Activate<TSimd, TVector>(Activation activation, ref float values, int length, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        switch (activation)
        {
            case Activation.Relu:
                ActivationKernel.Apply<TSimd, TVector, ReluFunction>(ref values, length, slope);
                break;
            case Activation.LeakyRelu:
                ActivationKernel.Apply<TSimd, TVector, LeakyReluFunction>(ref values, length, slope);
                break;
            case Activation.Sigmoid:
                ActivationKernel.Apply<TSimd, TVector, SigmoidFunction>(ref values, length, slope);
                break;
            default:
                ActivationKernel.Apply<TSimd, TVector, TanhFunction>(ref values, length, slope);
                break;
        }
    }

    private static void MultiplyByDerivative<TSimd, TVector>(Activation activation, ref float outputs, ref float errors, int length, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        switch (activation)
        {
            case Activation.Relu:
                ActivationKernel.MultiplyByDerivative<TSimd, TVector, ReluFunction>(ref outputs, ref errors, length, slope);
                break;
            case Activation.LeakyRelu:
                ActivationKernel.MultiplyByDerivative<TSimd, TVector, LeakyReluFunction>(ref outputs, ref errors, length, slope);
                break;
            case Activation.Sigmoid:
                ActivationKernel.MultiplyByDerivative<TSimd, TVector, SigmoidFunction>(ref outputs, ref errors, length, slope);
                break;
            default:
                ActivationKernel.MultiplyByDerivative<TSimd, TVector, TanhFunction>(ref outputs, ref errors, length, slope);
                break;
        }
    }
}
