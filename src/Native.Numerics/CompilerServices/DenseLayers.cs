using System.ComponentModel;
using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The dense layers of a model, bottom to top, as a struct the runtime is generic over: a generated model's stack
/// is a type such as <c>HiddenLayer&lt;Layer0, ReluFunction, OutputLayer&lt;Layer1&gt;&gt;</c>, so every layer's
/// kernels are compiled for that layer's constant sizes. Not for direct use.
/// </summary>
/// <remarks>
/// <para>
/// The parameters, one row's scratch and a chunk's workspace are laid out as <see cref="ParameterLayout"/> states: each
/// layer's block of parameters starts where the layer below ends, and so does its slot of the workspace.
/// </para>
/// <para>
/// Backward, each layer first lets the layers above carry their errors down into its own error rows (with the
/// weights as they were), multiplies them by its activation's derivative, carries them one layer further down, and
/// only then adds its gradient (or, stepping in place, moves its own weights). Each step is <see cref="Layers"/>'.
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

    /// <summary>Floats of one row's scratch: the hidden layers' outputs, each padded to 16 (<see cref="ParameterLayout.RowScratch"/>).</summary>
    internal int RowScratch { get; }

    /// <summary>Floats of a chunk's workspace: each layer's slot (<see cref="ParameterLayout.ChunkWorkspace"/>).</summary>
    internal int ChunkWorkspace { get; }

    /// <summary>
    /// One row through every layer: the top layer's values into <paramref name="top"/> (padded to 16 floats); the
    /// bottom layer reads x through <paramref name="input"/>, the layers above read what the one below wrote.
    /// </summary>
    internal void ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, TInput input, ref float top, ref float scratch, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct;

    /// <summary>
    /// A chunk through every layer, keeping each layer's outputs; returns the top layer's (n × <see cref="Outputs"/>), its
    /// error rows right after. The bottom layer reads the chunk's rows through <paramref name="reader"/>.
    /// </summary>
    internal ref float ForwardChunk<TSimd, TVector, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct;

    /// <summary>
    /// With the top layer's errors in place: every layer's share added to <paramref name="destination"/> (laid out as the
    /// parameters) as <paramref name="mode"/> says; the bottom layer's errors carried down into <paramref name="below"/>
    /// (n × <see cref="Features"/>) unless it is none. The bottom layer reads the chunk's rows through <paramref name="reader"/>.
    /// </summary>
    internal void BackwardChunk<TSimd, TVector, TMode, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, ref float destination, scoped TMode mode, float slope, scoped ErrorsBelow below)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMode : IPassMode, allows ref struct
        where TInput : struct, IRowInput, allows ref struct;
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

    int IDenseLayers.ParameterCount => (int)ParameterLayout.LayerParameters(_shape.Inputs, _shape.Outputs);

    int IDenseLayers.RowScratch => 0;

    int IDenseLayers.ChunkWorkspace => (int)ParameterLayout.ChunkSlot(_shape.Outputs);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void IDenseLayers.ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, TInput input, ref float top, ref float scratch, float slope) =>
        Layers.ForwardRow<TSimd, TVector, TShape, IdentityFunction, TInput>(_shape, ref parameters, in x, input, ref top, slope);

    ref float IDenseLayers.ForwardChunk<TSimd, TVector, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, float slope)
    {
        Layers.ForwardChunk<TSimd, TVector, TShape, IdentityFunction, TInput>(_shape, ref parameters, in input, reader, ref workspace, slope);
        return ref workspace;
    }

    void IDenseLayers.BackwardChunk<TSimd, TVector, TMode, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, ref float destination, scoped TMode mode, float slope, scoped ErrorsBelow below) =>
        Layers.Backward<TSimd, TVector, TShape, IdentityFunction, TMode, TInput>(_shape, ref parameters, in input, reader, ref workspace, ref destination, mode, slope, below);
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

    int IDenseLayers.ParameterCount => Parameters + _next.ParameterCount;

    int IDenseLayers.RowScratch => Scratch + _next.RowScratch;

    int IDenseLayers.ChunkWorkspace => Slot + _next.ChunkWorkspace;

    // Where the layers above start: after this layer's parameters, its outputs in one row's scratch, its slot of a chunk's workspace.
    private int Parameters => (int)ParameterLayout.LayerParameters(_shape.Inputs, _shape.Outputs);

    private int Scratch => (int)ParameterLayout.PaddedWidth(_shape.Outputs);

    private int Slot => (int)ParameterLayout.ChunkSlot(_shape.Outputs);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void IDenseLayers.ForwardRow<TSimd, TVector, TInput>(ref float parameters, ref readonly float x, TInput input, ref float top, ref float scratch, float slope)
    {
        Layers.ForwardRow<TSimd, TVector, TShape, TActivation, TInput>(_shape, ref parameters, in x, input, ref scratch, slope);
        _next.ForwardRow<TSimd, TVector, RawInput>(ref Unsafe.Add(ref parameters, Parameters), in scratch, default, ref top, ref Unsafe.Add(ref scratch, Scratch), slope);
    }

    ref float IDenseLayers.ForwardChunk<TSimd, TVector, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, float slope)
    {
        Layers.ForwardChunk<TSimd, TVector, TShape, TActivation, TInput>(_shape, ref parameters, in input, reader, ref workspace, slope);
        Rows outputs = new(in workspace, _shape.Outputs, input.Count);
        return ref _next.ForwardChunk<TSimd, TVector, RawInput>(ref Unsafe.Add(ref parameters, Parameters), in outputs, default, ref Unsafe.Add(ref workspace, Slot), slope);
    }

    void IDenseLayers.BackwardChunk<TSimd, TVector, TMode, TInput>(ref float parameters, scoped in Rows input, TInput reader, ref float workspace, ref float destination, scoped TMode mode, float slope, scoped ErrorsBelow below)
    {
        // The layers above carry their errors down into this layer's error rows, with their weights as they were; then this
        // layer's own step.
        Rows outputs = new(in workspace, _shape.Outputs, input.Count);
        var errors = new ErrorsBelow(ref Unsafe.Add(ref workspace, (nint)ParameterLayout.ErrorsStart(_shape.Outputs)));
        _next.BackwardChunk<TSimd, TVector, TMode, RawInput>(ref Unsafe.Add(ref parameters, Parameters), in outputs, default, ref Unsafe.Add(ref workspace, Slot), ref Unsafe.Add(ref destination, Parameters), mode, slope, errors);
        Layers.Backward<TSimd, TVector, TShape, TActivation, TMode, TInput>(_shape, ref parameters, in input, reader, ref workspace, ref destination, mode, slope, below);
    }
}
