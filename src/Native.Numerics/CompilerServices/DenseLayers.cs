using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The dense layers of a model, bottom to top, as a struct the runtime is generic over: a generated model's stack
/// is a type such as <c>HiddenLayer&lt;Layer0, ReluFunction, OutputLayer&lt;Layer1&gt;&gt;</c>, so every layer's
/// kernels are compiled for that layer's constant sizes. Not for direct use.
/// </summary>
/// <remarks>
/// <para>
/// Parameters: for each layer, its weights (outputs × inputs, row-major), then its biases — a layer's parameters
/// start where the layer below ends. A chunk's workspace: for each layer, <see cref="ModelWorkspace.ChunkRows"/> rows
/// of its outputs, then as many rows of its errors. One row's scratch: each hidden layer's outputs, padded to 16.
/// </para>
/// <para>
/// Backward, each layer first lets the layers above carry their errors down into its own error rows (with the
/// weights as they were), multiplies them by its activation's derivative, carries them one layer further down, and
/// only then adds its gradient (or, stepping in place, moves its own weights).
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IDenseLayers
{
    /// <summary>The inputs of the bottom layer: the model's features.</summary>
    internal int Features { get; }

    /// <summary>The outputs of the top layer, which go to the head.</summary>
    internal int Outputs { get; }

    /// <summary>The parameters of every layer together.</summary>
    internal int ParameterCount { get; }

    /// <summary>Floats of one row's scratch: the hidden layers' outputs, each padded to 16.</summary>
    internal int RowScratch { get; }

    /// <summary>Floats of a chunk's workspace: each layer's outputs and errors for <see cref="ModelWorkspace.ChunkRows"/> rows.</summary>
    internal int ChunkWorkspace { get; }

    /// <summary>
    /// One row through every layer: the top layer's values into <paramref name="top"/> (padded to 16 floats); the
    /// bottom layer reads x through <typeparamref name="TInput"/> (with <paramref name="means"/> and
    /// <paramref name="scales"/> when it standardizes), the layers above read what the one below wrote.
    /// </summary>
    internal void ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, ref float means, ref float scales, ref float top, ref float scratch, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput;

    /// <summary>A chunk through every layer, keeping each layer's outputs; returns the top layer's (n × <see cref="Outputs"/>), its error rows right after.</summary>
    internal ref float ForwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct;

    /// <summary>
    /// With the top layer's errors in place: the gradient of every layer added to <paramref name="destination"/> (laid out
    /// as the parameters), or −<paramref name="step"/> times it when <paramref name="step"/> is not 0; when
    /// <paramref name="propagate"/>, the bottom layer's errors carried down into <paramref name="below"/> (n × <see cref="Features"/>).
    /// </summary>
    internal void BackwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, ref float destination, float step, float slope, ref float below, bool propagate)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>The top dense layer of shape <typeparamref name="TShape"/>, whose values go to the head. Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct OutputLayer<TShape> : IDenseLayers
    where TShape : struct, IDenseShape
{
    private readonly TShape _shape;

    /// <summary>The layer of <paramref name="shape"/>: a generated shape is an empty struct, so <c>default</c> serves.</summary>
    public OutputLayer(TShape shape) => _shape = shape;

    int IDenseLayers.Features => _shape.Inputs;

    int IDenseLayers.Outputs => _shape.Outputs;

    int IDenseLayers.ParameterCount => (_shape.Inputs * _shape.Outputs) + _shape.Outputs;

    int IDenseLayers.RowScratch => 0;

    int IDenseLayers.ChunkWorkspace => 2 * ModelWorkspace.ChunkRows * _shape.Outputs;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void IDenseLayers.ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, ref float means, ref float scales, ref float top, ref float scratch, float slope) =>
        RowKernel.Forward<TSimd, TVector, TShape, IdentityFunction, TInput>(_shape, ref parameters, ref Biases(ref parameters), in x, ref means, ref scales, ref top, slope);

    ref float IDenseLayers.ForwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, float slope)
    {
        ForwardKernel.Rows<TSimd, TVector, TShape>(_shape, in input, ref parameters, ref Biases(ref parameters), ref workspace);
        return ref workspace;
    }

    void IDenseLayers.BackwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, ref float destination, float step, float slope, ref float below, bool propagate) =>
        Layers.Backward<TSimd, TVector, TShape>(_shape, ref parameters, in input, ref Unsafe.Add(ref workspace, ModelWorkspace.ChunkRows * _shape.Outputs), ref destination, step, ref below, propagate);

    private ref float Biases(ref float parameters) => ref Unsafe.Add(ref parameters, _shape.Inputs * _shape.Outputs);
}

/// <summary>
/// A hidden dense layer of shape <typeparamref name="TShape"/> with activation <typeparamref name="TActivation"/>, under the
/// layers <typeparamref name="TNext"/>. Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct HiddenLayer<TShape, TActivation, TNext> : IDenseLayers
    where TShape : struct, IDenseShape
    where TActivation : struct, IActivationFunction
    where TNext : struct, IDenseLayers
{
    private readonly TShape _shape;
    private readonly TNext _next;

    /// <summary>The layer of <paramref name="shape"/> under <paramref name="next"/>: for generated shapes, <c>default</c> serves.</summary>
    public HiddenLayer(TShape shape, TNext next)
    {
        _shape = shape;
        _next = next;
    }

    int IDenseLayers.Features => _shape.Inputs;

    int IDenseLayers.Outputs => _next.Outputs;

    int IDenseLayers.ParameterCount => Own + _next.ParameterCount;

    int IDenseLayers.RowScratch => AlignedBuffer.Pad(_shape.Outputs) + _next.RowScratch;

    int IDenseLayers.ChunkWorkspace => (2 * ModelWorkspace.ChunkRows * _shape.Outputs) + _next.ChunkWorkspace;

    // This layer's parameters: W (outputs × inputs), then b.
    private int Own => (_shape.Inputs * _shape.Outputs) + _shape.Outputs;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void IDenseLayers.ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, ref float means, ref float scales, ref float top, ref float scratch, float slope)
    {
        RowKernel.Forward<TSimd, TVector, TShape, TActivation, TInput>(_shape, ref parameters, ref Unsafe.Add(ref parameters, _shape.Inputs * _shape.Outputs), in x, ref means, ref scales, ref scratch, slope);
        _next.ForwardRow<TSimd, TVector, RawInput>(ref Unsafe.Add(ref parameters, Own), in scratch, ref Unsafe.NullRef<float>(), ref Unsafe.NullRef<float>(), ref top, ref Unsafe.Add(ref scratch, AlignedBuffer.Pad(_shape.Outputs)), slope);
    }

    ref float IDenseLayers.ForwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, float slope)
    {
        ForwardKernel.Rows<TSimd, TVector, TShape>(_shape, in input, ref parameters, ref Unsafe.Add(ref parameters, _shape.Inputs * _shape.Outputs), ref workspace);
        ActivationKernel.Apply<TSimd, TVector, TActivation>(ref workspace, input.Count * _shape.Outputs, slope);
        Rows outputs = new(in workspace, _shape.Outputs, input.Count);
        return ref _next.ForwardChunk<TSimd, TVector>(ref Unsafe.Add(ref parameters, Own), in outputs, ref Unsafe.Add(ref workspace, 2 * ModelWorkspace.ChunkRows * _shape.Outputs), slope);
    }

    void IDenseLayers.BackwardChunk<TSimd, TVector>(ref float parameters, scoped in Rows input, ref float workspace, ref float destination, float step, float slope, ref float below, bool propagate)
    {
        // The layers above carry their errors down into this layer's error rows, with their weights as they were.
        int n = input.Count;
        ref float errors = ref Unsafe.Add(ref workspace, ModelWorkspace.ChunkRows * _shape.Outputs);
        Rows outputs = new(in workspace, _shape.Outputs, n);
        _next.BackwardChunk<TSimd, TVector>(ref Unsafe.Add(ref parameters, Own), in outputs, ref Unsafe.Add(ref workspace, 2 * ModelWorkspace.ChunkRows * _shape.Outputs), ref Unsafe.Add(ref destination, Own), step, slope, ref errors, propagate: true);

        // Through this layer's activation, then on down and into this layer's gradient.
        ActivationKernel.MultiplyByDerivative<TSimd, TVector, TActivation>(ref workspace, ref errors, n * _shape.Outputs, slope);
        Layers.Backward<TSimd, TVector, TShape>(_shape, ref parameters, in input, ref errors, ref destination, step, ref below, propagate);
    }
}

/// <summary>The step every dense layer takes backward, whatever its place in the stack.</summary>
internal static class Layers
{
    /// <summary>
    /// With this layer's errors E (n × outputs) final: D = E·W into <paramref name="below"/> if asked (before W moves), then
    /// dW += Eᵀ·A, db += Σ E into <paramref name="destination"/>, E first scaled by −step when stepping in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Backward<TSimd, TVector, TShape>(TShape shape, ref float parameters, scoped in Rows input, ref float errors, ref float destination, float step, ref float below, bool propagate)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
    {
        int n = input.Count;
        if (propagate)
        {
            BackpropagateKernel.Run<TSimd, TVector, TShape>(shape, ref errors, n, ref parameters, ref below);
        }

        if (step != 0f)
        {
            Vectors.Scale<TSimd, TVector>(ref errors, -step, n * shape.Outputs);
        }

        int weights = shape.Inputs * shape.Outputs;
        GradientKernel.Accumulate<TSimd, TVector, TShape>(shape, ref errors, in input, ref destination, ref Unsafe.Add(ref destination, weights));
    }
}
