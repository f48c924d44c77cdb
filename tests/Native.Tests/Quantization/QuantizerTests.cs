using Native.Numerics;
using Native.Numerics.Quantization;
using Native.Tests.Kernels;

namespace Native.Tests.Quantization;

/// <summary>The quantizer: weights per output row, calibrated ranges, and the errors for what cannot be quantized.</summary>
public class QuantizerTests
{
    [Fact]
    public void WeightsAreRoundedPerRowToTheirScale()
    {
        ModelShape shape = ModelShape.MultilayerPerceptron([33, 17, 5], [Activation.Tanh]);
        float[] parameters = DenseKernelTests.Random(shape.ParameterCount, 8, scale: 3f);
        parameters.AsSpan(shape.WeightOffset(0) + (4 * 33), 33).Clear(); // a row of zeros
        QuantizedParameters quantized = Quantizer.Quantize(shape, parameters, null, default, ActivationScaling.PerRow);
        for (int l = 0; l < shape.LayerCount; l++)
        {
            QuantizedLayer layer = quantized.Layers[l];
            Assert.Equal(parameters.AsSpan(shape.BiasOffset(l), layer.Outputs).ToArray(), layer.Biases.ToArray());
            for (int o = 0; o < layer.Outputs; o++)
            {
                ReadOnlySpan<float> w = parameters.AsSpan(shape.WeightOffset(l) + (o * layer.Inputs), layer.Inputs);
                ReadOnlySpan<sbyte> q = layer.Weights.Slice(o * layer.Inputs, layer.Inputs);
                float scale = layer.WeightScales[o];
                if (l == 0 && o == 4)
                {
                    Assert.Equal(0f, scale);
                    Assert.All(q.ToArray(), b => Assert.Equal(0, b));
                    continue;
                }

                // The row's largest weight is ±127 exactly; every weight within half a step of its byte's value.
                Assert.Equal(127, q.ToArray().Max(b => Math.Abs((int)b)));
                for (int i = 0; i < w.Length; i++)
                {
                    Assert.True(Math.Abs(w[i] - (scale * q[i])) <= scale * 0.5001f, $"layer {l} row {o} weight {i}: {w[i]} as {q[i]} × {scale}");
                }
            }
        }
    }

    [Fact]
    public void CalibratedExtremesCoverEveryCalibrationValue()
    {
        // Standardized features from −3 to 9 (mean 1, deviation 2, rows from −5 to 19); a ReLU layer above.
        ModelShape shape = ModelShape.MultilayerPerceptron([4, 6, 3], [Activation.Relu]);
        float[] parameters = DenseKernelTests.Random(shape.ParameterCount, 2);
        Standardizer standardizer = Standardizer.FromStatistics([1f, 1f, 1f, 1f], [2f, 2f, 2f, 2f]);
        float[] rows = [-5f, 19f, 0f, 3f, 1f, 1f, 1f, 1f];
        QuantizedParameters quantized = Quantizer.Quantize(shape, parameters, standardizer, rows, ActivationScaling.Calibrated, CalibrationRange.Extremes);
        QuantizedLayer first = quantized.Layers[0];
        Assert.Equal(12f / 127, first.InputScale, 1e-6f);
        Assert.Equal(32, first.InputZeroPoint); // round(3 / (12 / 127)) = round(31.75)
        Assert.Equal(0, quantized.Layers[1].InputZeroPoint); // a ReLU's outputs start at 0
        Assert.True(quantized.Layers[1].InputScale > 0f);
    }

    [Fact]
    public void LeastSquaredErrorClipsALongTailWhereThatCostsLess()
    {
        // 20,000 values from an exponential distribution: most near 0, a thin tail out to about 12. The least-squared-error
        // range clips the last of the tail (at 127 steps rounding costs little, so only a little), and its bytes stand for
        // the values with less squared error in all (rounding inside, clipping outside) than the extremes' bytes do.
        ModelShape shape = ModelShape.SoftmaxRegression(1, 2);
        var random = new Random(3);
        float[] rows = Enumerable.Range(0, 20_000).Select(_ => (float)-Math.Log(1 - random.NextDouble())).ToArray();
        float[] parameters = [1f, -1f, 0f, 0f];
        QuantizedLayer extremes = Quantizer.Quantize(shape, parameters, null, rows, ActivationScaling.Calibrated, CalibrationRange.Extremes).Layers[0];
        QuantizedLayer clipped = Quantizer.Quantize(shape, parameters, null, rows, ActivationScaling.Calibrated, CalibrationRange.LeastSquaredError).Layers[0];
        Assert.Equal(rows.Max() / 127, extremes.InputScale, 1e-6f);
        Assert.True(clipped.InputScale < extremes.InputScale, $"clipped to {clipped.InputScale * 127} of {rows.Max()}");
        Assert.Equal(0, clipped.InputZeroPoint);
        Assert.True(SquaredError(rows, clipped.InputScale) < SquaredError(rows, extremes.InputScale));

        static double SquaredError(float[] values, float scale) =>
            values.Sum(v => Math.Pow(v - (scale * Math.Clamp(Math.Round(v / scale), 0, 127)), 2));
    }

    [Fact]
    public void ScaleOfMapsTheRangeWithZeroOntoTheBytes()
    {
        Assert.Equal((2f / 127, 0), Quantizer.ScaleOf(0.5f, 2f)); // 0 joins the range
        Assert.Equal((4f / 127, 64), Quantizer.ScaleOf(-2f, 2f)); // round(63.5) to even
        Assert.Equal((1f, 0), Quantizer.ScaleOf(0f, 0f));
        Assert.Equal((1f, 0), Quantizer.ScaleOf(-3e38f, 3e38f)); // a range no float spans
    }

    [Fact]
    public void WhatCannotBeQuantizedIsRefusedInOneLine()
    {
        ModelShape shape = ModelShape.SoftmaxRegression(3, 2);
        float[] parameters = DenseKernelTests.Random(shape.ParameterCount, 1);
        Assert.Equal(
            "The calibration rows hold 7 floats, not a whole number (at least one) of rows of 3 features. (Parameter 'rows')",
            Assert.Throws<ArgumentException>(() => Quantizer.Quantize(shape, parameters, null, new float[7], ActivationScaling.Calibrated)).Message);
        Assert.Equal(
            "The calibration rows hold 0 floats, not a whole number (at least one) of rows of 3 features. (Parameter 'rows')",
            Assert.Throws<ArgumentException>(() => Quantizer.Quantize(shape, parameters, null, default, ActivationScaling.Calibrated)).Message);
        float[] rows = new float[9];
        rows[7] = float.NaN;
        Assert.Equal(
            "Calibration row 2, feature 1, is NaN; calibration rows must be finite. (Parameter 'rows')",
            Assert.Throws<ArgumentException>(() => Quantizer.Quantize(shape, parameters, null, rows, ActivationScaling.Calibrated)).Message);
        parameters[4] = float.PositiveInfinity;
        Assert.Equal(
            "Parameter 4 of the model is Infinity; only a model with finite parameters can be quantized. (Parameter 'parameters')",
            Assert.Throws<ArgumentException>(() => Quantizer.Quantize(shape, parameters, null, new float[3], ActivationScaling.Calibrated)).Message);
        Assert.Equal(
            "The parameters hold 5 floats; the model SoftmaxRegression 3-2 has 8. (Parameter 'parameters')",
            Assert.Throws<ArgumentException>(() => Quantizer.Quantize(shape, new float[5], null, new float[3], ActivationScaling.PerRow)).Message);
    }

    [Fact]
    public void AQuantizedLayerChecksItsParts()
    {
        Assert.Equal(
            "The layer's weights weight 1 is -128; weights run from -127 to 127. (Parameter 'weights')",
            Assert.Throws<ArgumentException>(() => new QuantizedLayer(2, 1, [1, -128], [1f], [0f], 1f, 0)).Message);
        Assert.Equal(
            "The layer's weightScales scale 0 is NaN; a finite scale of 0 or more expected. (Parameter 'weightScales')",
            Assert.Throws<ArgumentException>(() => new QuantizedLayer(2, 1, [1, 2], [float.NaN], [0f], 1f, 0)).Message);
        Assert.Equal(
            "The layer's inputZeroPoint is 128; 0 to 127 expected. (Parameter 'inputZeroPoint')",
            Assert.Throws<ArgumentException>(() => new QuantizedLayer(2, 1, [1, 2], [1f], [0f], 1f, 128)).Message);
        Assert.Equal(
            "The layer's inputScale is 0; a finite positive scale expected. (Parameter 'inputScale')",
            Assert.Throws<ArgumentException>(() => new QuantizedLayer(2, 1, [1, 2], [1f], [0f], 0f, 0)).Message);
        Assert.Equal(
            "The layer's weights holds 3 weights; 1 × 2 expected. (Parameter 'weights')",
            Assert.Throws<ArgumentException>(() => new QuantizedLayer(2, 1, [1, 2, 3], [1f], [0f], 1f, 0)).Message);
        var layer = new QuantizedLayer(2, 3, new sbyte[6], new float[3], new float[3], 1f, 0);
        Assert.Equal(
            "Quantized layer 0 is 2 → 3; the model SoftmaxRegression 2-4 has 2 → 4. (Parameter 'layers')",
            Assert.Throws<ArgumentException>(() => new QuantizedParameters(ModelShape.SoftmaxRegression(2, 4), null, ActivationScaling.PerRow, [layer])).Message);
    }
}
