using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// The vector loops behind the public functions, where <c>TensorPrimitives</c> has no single pass that does
/// the job, or does it inaccurately. Every kernel has a dispatching entry point (through <see cref="VectorDispatch"/>,
/// at the process's width) and a generic one the tests run at every width.
/// </summary>
/// <remarks>
/// Every kernel is element-wise in its writes: element i of the destination depends only on element i of
/// the sources (and on scalars computed before the pass), so a destination that is exactly a source is safe.
/// Tails shorter than a vector run the same formula on <see cref="SimdScalar"/>, whose e^x is
/// <see cref="MathF.Exp"/>.
/// </remarks>
internal static class FunctionKernels
{
    /// <summary>
    /// Sums run in float vector lanes for at most this many vectors, then move into a double total, so a long
    /// input never accumulates more than a few hundred float additions per lane.
    /// </summary>
    private const int VectorsPerBlock = 256;

    /// <summary>destination[i] = f(source[i]) for the operator f, with its <paramref name="parameter"/>.</summary>
    public static void Map<TOperator>(ReadOnlySpan<float> source, Span<float> destination, float parameter)
        where TOperator : struct, IElementwiseOperator
    {
        var operation = new MapOperation<TOperator>(source, destination, parameter);
        VectorDispatch.Run<MapOperation<TOperator>, bool>(ref operation);
    }

    /// <summary><see cref="Map{TOperator}"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static void Map<TOperator, TSimd, TVector>(ReadOnlySpan<float> source, Span<float> destination, float parameter)
        where TOperator : struct, IElementwiseOperator
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // source and destination: n floats each, the same length (checked by the caller).
        ref float x = ref MemoryMarshal.GetReference(source);
        ref float y = ref MemoryMarshal.GetReference(destination);
        nint length = source.Length;
        TVector vectorParameter = TSimd.Create(parameter);

        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TOperator.Invoke<TSimd, TVector>(TSimd.Load(in x, k), vectorParameter), ref y, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref y, k) = TOperator.Invoke<SimdScalar, float>(Unsafe.Add(ref x, k), parameter);
        }
    }

    /// <summary>
    /// destination[i] = e^(scale·(z[i] − pivot)), returning their sum. The exponent is at most 0 when the
    /// pivot is the largest of scale·z (see <see cref="Activations.Softmax(ReadOnlySpan{float}, Span{float}, float)"/>).
    /// </summary>
    public static double Exponentials(ReadOnlySpan<float> z, Span<float> destination, float pivot, float scale)
    {
        var operation = new ExponentialsOperation(z, destination, pivot, scale, store: true);
        return VectorDispatch.Run<ExponentialsOperation, double>(ref operation);
    }

    /// <summary><see cref="Exponentials(ReadOnlySpan{float}, Span{float}, float, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double Exponentials<TSimd, TVector>(ReadOnlySpan<float> z, Span<float> destination, float pivot, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // z and destination: n floats each.
        ref float v = ref MemoryMarshal.GetReference(z);
        ref float e = ref MemoryMarshal.GetReference(destination);
        nint length = z.Length;
        TVector vectorPivot = TSimd.Create(pivot);
        TVector vectorScale = TSimd.Create(scale);

        // Subtract first, then scale: z − pivot cannot overflow to NaN (at worst it is −∞, whose e^ is 0),
        // whereas scale·z − scale·pivot could be ∞ − ∞.
        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                TVector term = TSimd.Exp(TSimd.Multiply(TSimd.Subtract(TSimd.Load(in v, k), vectorPivot), vectorScale));
                TSimd.Store(term, ref e, k);
                sum = TSimd.Add(sum, term);
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            float term = MathF.Exp((Unsafe.Add(ref v, k) - pivot) * scale);
            Unsafe.Add(ref e, k) = term;
            total += term;
        }

        return total;
    }

    /// <summary>Σ e^(scale·(z[i] − pivot)), without storing the terms.</summary>
    public static double SumOfExponentials(ReadOnlySpan<float> z, float pivot, float scale)
    {
        var operation = new ExponentialsOperation(z, default, pivot, scale, store: false);
        return VectorDispatch.Run<ExponentialsOperation, double>(ref operation);
    }

    /// <summary><see cref="SumOfExponentials(ReadOnlySpan{float}, float, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double SumOfExponentials<TSimd, TVector>(ReadOnlySpan<float> z, float pivot, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // z: n floats.
        ref float v = ref MemoryMarshal.GetReference(z);
        nint length = z.Length;
        TVector vectorPivot = TSimd.Create(pivot);
        TVector vectorScale = TSimd.Create(scale);

        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                sum = TSimd.Add(sum, TSimd.Exp(TSimd.Multiply(TSimd.Subtract(TSimd.Load(in v, k), vectorPivot), vectorScale)));
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            total += MathF.Exp((Unsafe.Add(ref v, k) - pivot) * scale);
        }

        return total;
    }

    /// <summary>
    /// destination[i] = (z[i] − pivot) − offset, in two subtractions: one subtraction of (pivot + offset)
    /// would lose the offset entirely when the pivot is large (1e30 + 2 rounds to 1e30).
    /// </summary>
    public static void SubtractTwice(ReadOnlySpan<float> z, Span<float> destination, float pivot, float offset) =>
        MapWithTwoParameters<SubtractTwiceOperator>(z, destination, pivot, offset);

    /// <summary>
    /// destination[i] = g[i] − e^(y[i])·scale: the backward pass of log-softmax, with y its output and
    /// scale = Σ g.
    /// </summary>
    public static void SubtractScaledExponentials(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> destination, float scale)
    {
        var operation = new SubtractScaledExponentialsOperation(y, g, destination, scale);
        VectorDispatch.Run<SubtractScaledExponentialsOperation, bool>(ref operation);
    }

    /// <summary><see cref="SubtractScaledExponentials(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static void SubtractScaledExponentials<TSimd, TVector>(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> destination, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // y, g and destination: n floats each.
        ref float logProbability = ref MemoryMarshal.GetReference(y);
        ref float gradient = ref MemoryMarshal.GetReference(g);
        ref float result = ref MemoryMarshal.GetReference(destination);
        nint length = y.Length;
        TVector negativeScale = TSimd.Create(-scale);

        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TVector p = TSimd.Exp(TSimd.Load(in logProbability, k));
            TSimd.Store(TSimd.MultiplyAdd(p, negativeScale, TSimd.Load(in gradient, k)), ref result, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref result, k) = Unsafe.Add(ref gradient, k) - (MathF.Exp(Unsafe.Add(ref logProbability, k)) * scale);
        }
    }

    /// <summary>Σ (a[i] − b[i])².</summary>
    public static double SumOfSquaredDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var operation = new SquaredDifferencesOperation(a, b, default, 0f, writeGradient: false);
        return VectorDispatch.Run<SquaredDifferencesOperation, double>(ref operation);
    }

    /// <summary><see cref="SumOfSquaredDifferences(ReadOnlySpan{float}, ReadOnlySpan{float})"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double SumOfSquaredDifferences<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // a and b: n floats each.
        ref float left = ref MemoryMarshal.GetReference(a);
        ref float right = ref MemoryMarshal.GetReference(b);
        nint length = a.Length;

        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                TVector difference = TSimd.Subtract(TSimd.Load(in left, k), TSimd.Load(in right, k));
                sum = TSimd.MultiplyAdd(difference, difference, sum);
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            float difference = Unsafe.Add(ref left, k) - Unsafe.Add(ref right, k);
            total += difference * difference;
        }

        return total;
    }

    /// <summary>gradient[i] = scale·(a[i] − b[i]), returning Σ (a[i] − b[i])² from the same pass.</summary>
    public static double SumOfSquaredDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradient, float scale)
    {
        var operation = new SquaredDifferencesOperation(a, b, gradient, scale, writeGradient: true);
        return VectorDispatch.Run<SquaredDifferencesOperation, double>(ref operation);
    }

    /// <summary><see cref="SumOfSquaredDifferences(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double SumOfSquaredDifferences<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradient, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // a, b and gradient: n floats each; gradient may be a or b itself (each element is read before it is written).
        ref float left = ref MemoryMarshal.GetReference(a);
        ref float right = ref MemoryMarshal.GetReference(b);
        ref float result = ref MemoryMarshal.GetReference(gradient);
        nint length = a.Length;
        TVector vectorScale = TSimd.Create(scale);

        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                TVector difference = TSimd.Subtract(TSimd.Load(in left, k), TSimd.Load(in right, k));
                sum = TSimd.MultiplyAdd(difference, difference, sum);
                TSimd.Store(TSimd.Multiply(difference, vectorScale), ref result, k);
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            float difference = Unsafe.Add(ref left, k) - Unsafe.Add(ref right, k);
            total += difference * difference;
            Unsafe.Add(ref result, k) = difference * scale;
        }

        return total;
    }

    /// <summary><see cref="Map{TOperator}"/> with two parameters; only <see cref="SubtractTwice"/> needs it.</summary>
    private static void MapWithTwoParameters<TOperator>(ReadOnlySpan<float> source, Span<float> destination, float first, float second)
        where TOperator : struct, ITwoParameterOperator
    {
        var operation = new MapTwoOperation<TOperator>(source, destination, first, second);
        VectorDispatch.Run<MapTwoOperation<TOperator>, bool>(ref operation);
    }

    /// <summary>The two-parameter map at the width <typeparamref name="TSimd"/>.</summary>
    internal static void MapWithTwoParameters<TOperator, TSimd, TVector>(ReadOnlySpan<float> source, Span<float> destination, float first, float second)
        where TOperator : struct, ITwoParameterOperator
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // source and destination: n floats each.
        ref float x = ref MemoryMarshal.GetReference(source);
        ref float y = ref MemoryMarshal.GetReference(destination);
        nint length = source.Length;
        TVector vectorFirst = TSimd.Create(first);
        TVector vectorSecond = TSimd.Create(second);

        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TOperator.Invoke<TSimd, TVector>(TSimd.Load(in x, k), vectorFirst, vectorSecond), ref y, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref y, k) = TOperator.Invoke<SimdScalar, float>(Unsafe.Add(ref x, k), first, second);
        }
    }
}

/// <summary>A lane-wise function of one vector and two broadcast parameters.</summary>
internal interface ITwoParameterOperator
{
    /// <summary>The function on every lane of <paramref name="x"/>, at the width <typeparamref name="TSimd"/>.</summary>
    static abstract TVector Invoke<TSimd, TVector>(TVector x, TVector first, TVector second)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>(x − first) − second.</summary>
internal readonly struct SubtractTwiceOperator : ITwoParameterOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector first, TVector second)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Subtract(TSimd.Subtract(x, first), second);
}

