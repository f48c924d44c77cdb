using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The steps of one dense layer, written once: the generated stacks (<see cref="OutputLayer{TShape}"/>,
/// <see cref="HiddenLayer{TShape, TActivation, TNext}"/>) and the run-time stack (<see cref="DynamicLayers"/>) differ only
/// in how they walk from one layer to the next. A layer's block of parameters is W (outputs × inputs, row-major), then b
/// (<see cref="ParameterLayout"/>); its slot of a chunk's workspace is its outputs' rows, then its errors' rows.
/// </summary>
/// <remarks>
/// The output layer is the layer whose activation is <see cref="IdentityFunction"/>: its values go to the head as they are,
/// and the tests on the activation's type fold away.
/// </remarks>
internal static class Layers
{
    /// <summary>y = f(W·x + b) for one row: x read through <paramref name="input"/>, y padded to 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForwardRow<TSimd, TVector, TShape, TActivation, TInput>(TShape shape, ref float parameters, ref readonly float x, TInput input, ref float y, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct =>
        RowKernel.Forward<TSimd, TVector, TShape, TActivation, TInput>(shape, ref parameters, ref Biases(shape, ref parameters), in x, input, ref y, slope);

    /// <summary>
    /// Y = f(A·Wᵀ + b) for a chunk's rows A, read through <paramref name="reader"/>, into the first rows of the layer's
    /// <paramref name="slot"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForwardChunk<TSimd, TVector, TShape, TActivation, TInput>(TShape shape, ref float parameters, scoped in Rows input, TInput reader, ref float slot, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct
    {
        ForwardKernel.Rows<TSimd, TVector, TShape, TInput>(shape, in input, reader, ref parameters, ref Biases(shape, ref parameters), ref slot);
        if (typeof(TActivation) != typeof(IdentityFunction))
        {
            ActivationKernel.Apply<TSimd, TVector, TActivation>(ref slot, input.Count * shape.Outputs, slope);
        }
    }

    /// <summary>
    /// With the layer's errors E (n × outputs) carried down into its <paramref name="slot"/> by the layers above (or written by
    /// the head): E multiplied by the activation's derivative; D = E·W into <paramref name="below"/> unless it is none (before W
    /// moves); then dW += Eᵀ·A (A read through <paramref name="reader"/>), db += Σ E into the layer's block of the <paramref name="mode"/>'s destination,
    /// <paramref name="destination"/>, E first scaled as the mode asks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<TSimd, TVector, TShape, TActivation, TMode, TInput>(
        TShape shape, ref float parameters, scoped in Rows input, TInput reader, ref float slot, ref float destination, scoped TMode mode, float slope, scoped ErrorsBelow below)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TActivation : struct, IActivationFunction
        where TMode : IPassMode, allows ref struct
        where TInput : struct, IRowInput, allows ref struct
    {
        int length = input.Count * shape.Outputs;
        ref float errors = ref Unsafe.Add(ref slot, (nint)ParameterLayout.ErrorsStart(shape.Outputs));
        if (typeof(TActivation) != typeof(IdentityFunction))
        {
            ActivationKernel.MultiplyByDerivative<TSimd, TVector, TActivation>(ref slot, ref errors, length, slope);
        }

        if (!below.IsNone)
        {
            BackpropagateKernel.Run<TSimd, TVector, TShape>(shape, ref errors, input.Count, ref parameters, ref below.Rows);
        }

        mode.ScaleErrors<TSimd, TVector>(ref errors, length);
        GradientKernel.Accumulate<TSimd, TVector, TShape, TInput>(shape, ref errors, in input, reader, ref destination, ref Biases(shape, ref destination));
    }

    // A layer's biases, or their share of a block laid out as the parameters: after its weights.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref float Biases<TShape>(TShape shape, ref float block)
        where TShape : struct, IDenseShape =>
        ref Unsafe.Add(ref block, (nint)ParameterLayout.BiasStart(shape.Inputs, shape.Outputs));
}
