using Native.Numerics.Kernels;

namespace Native.Numerics;

// The dispatching entry points of FunctionKernels, each an operation VectorDispatch runs at the chosen width.

internal readonly ref struct MapOperation<TOperator>(ReadOnlySpan<float> source, Span<float> destination, float parameter) : IVectorOperation<bool>
    where TOperator : struct, IElementwiseOperator
{
    private readonly ReadOnlySpan<float> _source = source;
    private readonly Span<float> _destination = destination;

    public bool Invoke<TSimd, TVector>()
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        FunctionKernels.Map<TOperator, TSimd, TVector>(_source, _destination, parameter);
        return true;
    }
}

internal readonly ref struct MapTwoOperation<TOperator>(ReadOnlySpan<float> source, Span<float> destination, float first, float second) : IVectorOperation<bool>
    where TOperator : struct, ITwoParameterOperator
{
    private readonly ReadOnlySpan<float> _source = source;
    private readonly Span<float> _destination = destination;

    public bool Invoke<TSimd, TVector>()
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        FunctionKernels.MapWithTwoParameters<TOperator, TSimd, TVector>(_source, _destination, first, second);
        return true;
    }
}

internal readonly ref struct ExponentialsOperation(ReadOnlySpan<float> z, Span<float> destination, float pivot, float scale, bool store) : IVectorOperation<double>
{
    private readonly ReadOnlySpan<float> _z = z;
    private readonly Span<float> _destination = destination;

    public double Invoke<TSimd, TVector>()
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        store ? FunctionKernels.Exponentials<TSimd, TVector>(_z, _destination, pivot, scale) : FunctionKernels.SumOfExponentials<TSimd, TVector>(_z, pivot, scale);
}

internal readonly ref struct SubtractScaledExponentialsOperation(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> destination, float scale) : IVectorOperation<bool>
{
    private readonly ReadOnlySpan<float> _y = y;
    private readonly ReadOnlySpan<float> _g = g;
    private readonly Span<float> _destination = destination;

    public bool Invoke<TSimd, TVector>()
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        FunctionKernels.SubtractScaledExponentials<TSimd, TVector>(_y, _g, _destination, scale);
        return true;
    }
}

// Σ (a − b)², and when asked scale·(a − b) written to the gradient.
internal readonly ref struct SquaredDifferencesOperation(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradient, float scale, bool writeGradient) : IVectorOperation<double>
{
    private readonly ReadOnlySpan<float> _a = a;
    private readonly ReadOnlySpan<float> _b = b;
    private readonly Span<float> _gradient = gradient;

    public double Invoke<TSimd, TVector>()
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        writeGradient
            ? FunctionKernels.SumOfSquaredDifferences<TSimd, TVector>(_a, _b, _gradient, scale)
            : FunctionKernels.SumOfSquaredDifferences<TSimd, TVector>(_a, _b);
}
