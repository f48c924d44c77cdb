using System.Diagnostics;
using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// What a pass over a batch does once it has a chunk's loss: nothing more (<see cref="LossMode"/>), add the gradient to a
/// buffer (<see cref="GradientMode"/>), or move the weights themselves (<see cref="StepMode"/>). A type parameter
/// of the pass and of the layers' backward steps, so each is compiled with its own branches folded.
/// </summary>
internal interface IPassMode
{
    /// <summary>Whether the layers go backward: false for the loss alone.</summary>
    static abstract bool GoesBackward { get; }

    /// <summary>The block, laid out as the parameters (<see cref="ParameterLayout"/>), that each layer's share is added to.</summary>
    ref float Destination { get; }

    /// <summary>A layer's errors (<paramref name="length"/> floats) made into what is added: the gradient's rows as they are, or scaled.</summary>
    void ScaleErrors<TSimd, TVector>(ref float errors, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>The forward pass and the loss, nothing written back.</summary>
internal readonly struct LossMode : IPassMode
{
    public static bool GoesBackward => false;

    public ref float Destination => throw new UnreachableException("The loss alone writes no gradient.");

    public void ScaleErrors<TSimd, TVector>(ref float errors, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct => throw new UnreachableException("The loss alone has no backward pass.");
}

/// <summary>∇ (the gradient of the summed loss) added to <paramref name="gradient"/>, the parameters untouched.</summary>
internal readonly ref struct GradientMode(ref float gradient) : IPassMode
{
    private readonly ref float _gradient = ref gradient;

    public static bool GoesBackward => true;

    public ref float Destination => ref _gradient;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ScaleErrors<TSimd, TVector>(ref float errors, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
    }
}

/// <summary>
/// θ ← θ − <paramref name="stepSize"/>·∇ on <paramref name="parameters"/> themselves: each layer's errors scaled by −step and
/// added straight into its weights once they have been carried down with the weights as they were.
/// </summary>
internal readonly ref struct StepMode(ref float parameters, float stepSize) : IPassMode
{
    private readonly ref float _parameters = ref parameters;

    public static bool GoesBackward => true;

    public ref float Destination => ref _parameters;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ScaleErrors<TSimd, TVector>(ref float errors, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct => Vectors.Scale<TSimd, TVector>(ref errors, -stepSize, length);
}

/// <summary>
/// Where a layer's backward step carries its errors down to: the error rows of the layer below (n × the layer's inputs), or
/// <see cref="None"/> for the bottom layer, whose inputs are the model's and need no errors.
/// </summary>
internal readonly ref struct ErrorsBelow
{
    private readonly ref float _rows;

    /// <summary>Into <paramref name="rows"/>, the error rows of the layer below.</summary>
    public ErrorsBelow(ref float rows) => _rows = ref rows;

    /// <summary>Nowhere: the bottom layer's.</summary>
    public static ErrorsBelow None => default;

    /// <summary>Whether there is no layer below.</summary>
    public bool IsNone => Unsafe.IsNullRef(ref _rows);

    /// <summary>The first error row of the layer below.</summary>
    public ref float Rows => ref _rows;
}
