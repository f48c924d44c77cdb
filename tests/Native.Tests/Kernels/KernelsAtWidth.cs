using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Tests.Kernels;

/// <summary>The library's dense kernels at a width the test chooses, with sizes known at run time.</summary>
internal static class KernelsAtWidth
{
    public static void Forward(SimdWidth width, Rows input, int inputs, float[] w, float[] b, int outputs, float[] z)
    {
        var shape = new DenseShape(inputs, outputs);
        switch (width)
        {
            case SimdWidth.Vector512: ForwardKernel.Rows<Simd512, Vector512<float>, DenseShape, RawInput>(shape, in input, default, ref w[0], ref b[0], ref z[0]); break;
            case SimdWidth.Vector256: ForwardKernel.Rows<Simd256, Vector256<float>, DenseShape, RawInput>(shape, in input, default, ref w[0], ref b[0], ref z[0]); break;
            case SimdWidth.Vector128: ForwardKernel.Rows<Simd128, Vector128<float>, DenseShape, RawInput>(shape, in input, default, ref w[0], ref b[0], ref z[0]); break;
            default: ForwardKernel.Rows<SimdScalar, float, DenseShape, RawInput>(shape, in input, default, ref w[0], ref b[0], ref z[0]); break;
        }
    }

    /// <summary>
    /// One row through <see cref="RowKernel"/>: y (padded to 16 past the outputs) = f(W·x + b), with x standardized on
    /// the way in when <paramref name="means"/> and <paramref name="scales"/> are given; b needs 15 readable floats past its end.
    /// </summary>
    public static void Row(SimdWidth width, Activation? activation, int inputs, float[] w, float[] b, ReadOnlySpan<float> x, int outputs, float[] y, float slope, float[]? means = null, float[]? scales = null)
    {
        if (means is not null && scales is not null)
        {
            Row(width, activation, inputs, w, b, x, outputs, y, slope, new StandardizedInput(ref means[0], ref scales[0]));
        }
        else
        {
            Row(width, activation, inputs, w, b, x, outputs, y, slope, default(RawInput));
        }
    }

    private static void Row<TInput>(SimdWidth width, Activation? activation, int inputs, float[] w, float[] b, ReadOnlySpan<float> x, int outputs, float[] y, float slope, TInput input)
        where TInput : struct, IRowInput, allows ref struct
    {
        switch (activation)
        {
            case null: Row<IdentityFunction, TInput>(width, inputs, w, b, x, outputs, y, slope, input); break;
            case Activation.Relu: Row<ReluFunction, TInput>(width, inputs, w, b, x, outputs, y, slope, input); break;
            case Activation.LeakyRelu: Row<LeakyReluFunction, TInput>(width, inputs, w, b, x, outputs, y, slope, input); break;
            case Activation.Sigmoid: Row<SigmoidFunction, TInput>(width, inputs, w, b, x, outputs, y, slope, input); break;
            default: Row<TanhFunction, TInput>(width, inputs, w, b, x, outputs, y, slope, input); break;
        }
    }

    public static void Gradient(SimdWidth width, float[] errors, Rows input, int inputs, int outputs, float[] dw, float[] db)
    {
        var shape = new DenseShape(inputs, outputs);
        switch (width)
        {
            case SimdWidth.Vector512: GradientKernel.Accumulate<Simd512, Vector512<float>, DenseShape, RawInput>(shape, ref errors[0], in input, default, ref dw[0], ref db[0]); break;
            case SimdWidth.Vector256: GradientKernel.Accumulate<Simd256, Vector256<float>, DenseShape, RawInput>(shape, ref errors[0], in input, default, ref dw[0], ref db[0]); break;
            case SimdWidth.Vector128: GradientKernel.Accumulate<Simd128, Vector128<float>, DenseShape, RawInput>(shape, ref errors[0], in input, default, ref dw[0], ref db[0]); break;
            default: GradientKernel.Accumulate<SimdScalar, float, DenseShape, RawInput>(shape, ref errors[0], in input, default, ref dw[0], ref db[0]); break;
        }
    }

    public static void Backpropagate(SimdWidth width, float[] errors, int count, int outputs, float[] w, int inputs, float[] below)
    {
        var shape = new DenseShape(inputs, outputs);
        switch (width)
        {
            case SimdWidth.Vector512: BackpropagateKernel.Run<Simd512, Vector512<float>, DenseShape>(shape, ref errors[0], count, ref w[0], ref below[0]); break;
            case SimdWidth.Vector256: BackpropagateKernel.Run<Simd256, Vector256<float>, DenseShape>(shape, ref errors[0], count, ref w[0], ref below[0]); break;
            case SimdWidth.Vector128: BackpropagateKernel.Run<Simd128, Vector128<float>, DenseShape>(shape, ref errors[0], count, ref w[0], ref below[0]); break;
            default: BackpropagateKernel.Run<SimdScalar, float, DenseShape>(shape, ref errors[0], count, ref w[0], ref below[0]); break;
        }
    }

    public static void Activate(SimdWidth width, Activation activation, float slope, float[] values)
    {
        switch (activation)
        {
            case Activation.Relu: Activate<ReluFunction>(width, slope, values); break;
            case Activation.LeakyRelu: Activate<LeakyReluFunction>(width, slope, values); break;
            case Activation.Sigmoid: Activate<SigmoidFunction>(width, slope, values); break;
            default: Activate<TanhFunction>(width, slope, values); break;
        }
    }

    public static void MultiplyByDerivative(SimdWidth width, Activation activation, float slope, float[] outputs, float[] errors)
    {
        switch (activation)
        {
            case Activation.Relu: MultiplyByDerivative<ReluFunction>(width, slope, outputs, errors); break;
            case Activation.LeakyRelu: MultiplyByDerivative<LeakyReluFunction>(width, slope, outputs, errors); break;
            case Activation.Sigmoid: MultiplyByDerivative<SigmoidFunction>(width, slope, outputs, errors); break;
            default: MultiplyByDerivative<TanhFunction>(width, slope, outputs, errors); break;
        }
    }

    public static (float Max, float Sum) Softmax(SimdWidth width, Span<float> z) => width switch
    {
        SimdWidth.Vector512 => SoftmaxKernel.Row<Simd512, Vector512<float>>(z),
        SimdWidth.Vector256 => SoftmaxKernel.Row<Simd256, Vector256<float>>(z),
        SimdWidth.Vector128 => SoftmaxKernel.Row<Simd128, Vector128<float>>(z),
        _ => SoftmaxKernel.Row<SimdScalar, float>(z),
    };

    /// <summary>The register softmax of at most 16 classes: <paramref name="logits"/> padded to 16, <paramref name="destination"/> exactly the classes long.</summary>
    public static void Probabilities(SimdWidth width, float[] logits, int classes, Span<float> destination)
    {
        ref float p = ref MemoryMarshal.GetReference(destination);
        switch (width)
        {
            case SimdWidth.Vector512: SoftmaxKernel.Probabilities<Simd512, Vector512<float>>(ref logits[0], classes, ref p); break;
            case SimdWidth.Vector256: SoftmaxKernel.Probabilities<Simd256, Vector256<float>>(ref logits[0], classes, ref p); break;
            case SimdWidth.Vector128: SoftmaxKernel.Probabilities<Simd128, Vector128<float>>(ref logits[0], classes, ref p); break;
            default: SoftmaxKernel.Probabilities<SimdScalar, float>(ref logits[0], classes, ref p); break;
        }
    }

    private static void Row<TActivation, TInput>(SimdWidth width, int inputs, float[] w, float[] b, ReadOnlySpan<float> x, int outputs, float[] y, float slope, TInput input)
        where TActivation : struct, IActivationFunction
        where TInput : struct, IRowInput, allows ref struct
    {
        var shape = new DenseShape(inputs, outputs);
        ref readonly float row = ref MemoryMarshal.GetReference(x);
        switch (width)
        {
            case SimdWidth.Vector512: RowKernel.Forward<Simd512, Vector512<float>, DenseShape, TActivation, TInput>(shape, ref w[0], ref b[0], in row, input, ref y[0], slope); break;
            case SimdWidth.Vector256: RowKernel.Forward<Simd256, Vector256<float>, DenseShape, TActivation, TInput>(shape, ref w[0], ref b[0], in row, input, ref y[0], slope); break;
            case SimdWidth.Vector128: RowKernel.Forward<Simd128, Vector128<float>, DenseShape, TActivation, TInput>(shape, ref w[0], ref b[0], in row, input, ref y[0], slope); break;
            default: RowKernel.Forward<SimdScalar, float, DenseShape, TActivation, TInput>(shape, ref w[0], ref b[0], in row, input, ref y[0], slope); break;
        }
    }

    private static void Activate<TActivation>(SimdWidth width, float slope, float[] values)
        where TActivation : struct, IActivationFunction
    {
        switch (width)
        {
            case SimdWidth.Vector512: ActivationKernel.Apply<Simd512, Vector512<float>, TActivation>(ref values[0], values.Length, slope); break;
            case SimdWidth.Vector256: ActivationKernel.Apply<Simd256, Vector256<float>, TActivation>(ref values[0], values.Length, slope); break;
            case SimdWidth.Vector128: ActivationKernel.Apply<Simd128, Vector128<float>, TActivation>(ref values[0], values.Length, slope); break;
            default: ActivationKernel.Apply<SimdScalar, float, TActivation>(ref values[0], values.Length, slope); break;
        }
    }

    private static void MultiplyByDerivative<TActivation>(SimdWidth width, float slope, float[] outputs, float[] errors)
        where TActivation : struct, IActivationFunction
    {
        switch (width)
        {
            case SimdWidth.Vector512: ActivationKernel.MultiplyByDerivative<Simd512, Vector512<float>, TActivation>(ref outputs[0], ref errors[0], errors.Length, slope); break;
            case SimdWidth.Vector256: ActivationKernel.MultiplyByDerivative<Simd256, Vector256<float>, TActivation>(ref outputs[0], ref errors[0], errors.Length, slope); break;
            case SimdWidth.Vector128: ActivationKernel.MultiplyByDerivative<Simd128, Vector128<float>, TActivation>(ref outputs[0], ref errors[0], errors.Length, slope); break;
            default: ActivationKernel.MultiplyByDerivative<SimdScalar, float, TActivation>(ref outputs[0], ref errors[0], errors.Length, slope); break;
        }
    }
}
