using System.ComponentModel;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The sizes of one dense layer, as a struct the library's kernels are generic over. Not for direct use: the
/// source generator implements it for the layers of a generated model, with sizes the JIT reads as constants.
/// </summary>
/// <remarks>
/// A generated shape is an empty struct whose properties return literals, so every kernel instantiated over it
/// has constant trip counts, folded branches and no tail code it does not need. The run-time-shaped models pass
/// a struct that carries its sizes; the kernels are the same code.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IDenseShape
{
    /// <summary>The layer's inputs: the features, or the width of the layer below.</summary>
    int Inputs { get; }

    /// <summary>The layer's outputs.</summary>
    int Outputs { get; }
}

/// <summary>A dense layer's sizes known only at run time.</summary>
internal readonly struct DenseShape(int inputs, int outputs) : IDenseShape
{
    public int Inputs { get; } = inputs;

    public int Outputs { get; } = outputs;
}
