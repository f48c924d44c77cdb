using System.Runtime.Intrinsics;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Tests;

/// <summary>The vector widths the function kernels are tested at (public, for xunit's theory data).</summary>
public enum FunctionKernelWidth
{
    /// <summary>One float at a time.</summary>
    Scalar,

    /// <summary>Four floats.</summary>
    Vector128,

    /// <summary>Eight floats.</summary>
    Vector256,

    /// <summary>Sixteen floats (emulated where the hardware lacks it).</summary>
    Vector512,
}

/// <summary>
/// Runs each of <see cref="FunctionKernels"/>' generic kernels at a chosen width, so every width is tested on
/// every machine, whatever <see cref="SimdSupport.Preferred"/> picks here.
/// </summary>
internal static class FunctionKernelsAtWidth
{
    public static void Map<TOperator>(FunctionKernelWidth width, ReadOnlySpan<float> source, Span<float> destination, float parameter)
        where TOperator : struct, IElementwiseOperator
    {
        switch (width)
        {
            case FunctionKernelWidth.Scalar:
                FunctionKernels.Map<TOperator, SimdScalar, float>(source, destination, parameter);
                break;
            case FunctionKernelWidth.Vector128:
                FunctionKernels.Map<TOperator, Simd128, Vector128<float>>(source, destination, parameter);
                break;
            case FunctionKernelWidth.Vector256:
                FunctionKernels.Map<TOperator, Simd256, Vector256<float>>(source, destination, parameter);
                break;
            default:
                FunctionKernels.Map<TOperator, Simd512, Vector512<float>>(source, destination, parameter);
                break;
        }
    }

    public static void SubtractTwice(FunctionKernelWidth width, ReadOnlySpan<float> source, Span<float> destination, float first, float second)
    {
        switch (width)
        {
            case FunctionKernelWidth.Scalar:
                FunctionKernels.MapWithTwoParameters<SubtractTwiceOperator, SimdScalar, float>(source, destination, first, second);
                break;
            case FunctionKernelWidth.Vector128:
                FunctionKernels.MapWithTwoParameters<SubtractTwiceOperator, Simd128, Vector128<float>>(source, destination, first, second);
                break;
            case FunctionKernelWidth.Vector256:
                FunctionKernels.MapWithTwoParameters<SubtractTwiceOperator, Simd256, Vector256<float>>(source, destination, first, second);
                break;
            default:
                FunctionKernels.MapWithTwoParameters<SubtractTwiceOperator, Simd512, Vector512<float>>(source, destination, first, second);
                break;
        }
    }

    public static double Exponentials(FunctionKernelWidth width, ReadOnlySpan<float> z, Span<float> destination, float pivot, float scale) => width switch
    {
        FunctionKernelWidth.Scalar => FunctionKernels.Exponentials<SimdScalar, float>(z, destination, pivot, scale),
        FunctionKernelWidth.Vector128 => FunctionKernels.Exponentials<Simd128, Vector128<float>>(z, destination, pivot, scale),
        FunctionKernelWidth.Vector256 => FunctionKernels.Exponentials<Simd256, Vector256<float>>(z, destination, pivot, scale),
        _ => FunctionKernels.Exponentials<Simd512, Vector512<float>>(z, destination, pivot, scale),
    };

    public static double SumOfExponentials(FunctionKernelWidth width, ReadOnlySpan<float> z, float pivot, float scale) => width switch
    {
        FunctionKernelWidth.Scalar => FunctionKernels.SumOfExponentials<SimdScalar, float>(z, pivot, scale),
        FunctionKernelWidth.Vector128 => FunctionKernels.SumOfExponentials<Simd128, Vector128<float>>(z, pivot, scale),
        FunctionKernelWidth.Vector256 => FunctionKernels.SumOfExponentials<Simd256, Vector256<float>>(z, pivot, scale),
        _ => FunctionKernels.SumOfExponentials<Simd512, Vector512<float>>(z, pivot, scale),
    };

    public static void SubtractScaledExponentials(FunctionKernelWidth width, ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> destination, float scale)
    {
        switch (width)
        {
            case FunctionKernelWidth.Scalar:
                FunctionKernels.SubtractScaledExponentials<SimdScalar, float>(y, g, destination, scale);
                break;
            case FunctionKernelWidth.Vector128:
                FunctionKernels.SubtractScaledExponentials<Simd128, Vector128<float>>(y, g, destination, scale);
                break;
            case FunctionKernelWidth.Vector256:
                FunctionKernels.SubtractScaledExponentials<Simd256, Vector256<float>>(y, g, destination, scale);
                break;
            default:
                FunctionKernels.SubtractScaledExponentials<Simd512, Vector512<float>>(y, g, destination, scale);
                break;
        }
    }

    public static double SumOfSquaredDifferences(FunctionKernelWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> b) => width switch
    {
        FunctionKernelWidth.Scalar => FunctionKernels.SumOfSquaredDifferences<SimdScalar, float>(a, b),
        FunctionKernelWidth.Vector128 => FunctionKernels.SumOfSquaredDifferences<Simd128, Vector128<float>>(a, b),
        FunctionKernelWidth.Vector256 => FunctionKernels.SumOfSquaredDifferences<Simd256, Vector256<float>>(a, b),
        _ => FunctionKernels.SumOfSquaredDifferences<Simd512, Vector512<float>>(a, b),
    };

    public static double SumOfSquaredDifferences(FunctionKernelWidth width, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradient, float scale) => width switch
    {
        FunctionKernelWidth.Scalar => FunctionKernels.SumOfSquaredDifferences<SimdScalar, float>(a, b, gradient, scale),
        FunctionKernelWidth.Vector128 => FunctionKernels.SumOfSquaredDifferences<Simd128, Vector128<float>>(a, b, gradient, scale),
        FunctionKernelWidth.Vector256 => FunctionKernels.SumOfSquaredDifferences<Simd256, Vector256<float>>(a, b, gradient, scale),
        _ => FunctionKernels.SumOfSquaredDifferences<Simd512, Vector512<float>>(a, b, gradient, scale),
    };
}
