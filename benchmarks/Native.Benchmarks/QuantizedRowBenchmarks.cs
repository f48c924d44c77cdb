using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;

namespace Native.Benchmarks;

/// <summary>One 784 × 10 int8 row, its steps alternated in one process (exploration).</summary>
public static class QuantizedRowExploration
{
    private const int Offsets = 16, Features = 784, Classes = 10;

    public static void Alternate(TextWriter output)
    {
        var softmax = new SoftmaxRegression(Features, Classes);
        var random = new Random(1);
        float scale = 2f / MathF.Sqrt(Features);
        foreach (ref float parameter in softmax.Parameters)
        {
            parameter = (float)(random.NextDouble() - 0.5) * scale;
        }

        float[] row = new float[Features + Offsets];
        float[] calibration = new float[256 * Features];
        foreach (float[] rows in new[] { row, calibration })
        {
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = (float)random.NextDouble();
            }
        }

        var trainedFloat = new TrainedModel(softmax);
        TrainedModel trainedInt8 = trainedFloat.Quantize(calibration);
        QuantizedModel model = QuantizedModel.Create(Quantizer.Quantize(softmax.Shape, softmax.Parameters, null, calibration, ActivationScaling.Calibrated));
        var layer = new PackedLayer(model.Parameters.Layers[0], activation: null);
        (float mapScale, float mapOffset) = QuantizedModel.FeatureMap(model.Parameters, 0);
        var map = new UniformMap(mapScale, mapOffset);
        byte[] bytes = new byte[layer.InputBytes];
        AlignedBuffer interleaved = InterleavedKernel.Interleave(System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, sbyte>(ref layer.Weights), Classes * layer.InputBytes), layer.InputBytes, Features, Classes);
        int[] sums = new int[layer.PaddedOutputs];
        float[] logits = new float[layer.PaddedOutputs];
        float[] otherLogits = new float[layer.PaddedOutputs];
        float[] probabilities = new float[Classes];

        (string Name, Action Run)[] calls =
        [
            ("clock: 48 dependent imul (ns = 144 cycles)", () => Clock(48)),
            ("TrainedModel float32 PredictProbabilities", () => { for (int o = 0; o < Offsets; o++) { trainedFloat.PredictProbabilities(row.AsSpan(o, Features), probabilities); } }),
            ("TrainedModel int8 PredictProbabilities", () => { for (int o = 0; o < Offsets; o++) { trainedInt8.PredictProbabilities(row.AsSpan(o, Features), probabilities); } }),
            ("QuantizedModel PredictProbabilities", () => { for (int o = 0; o < Offsets; o++) { model.PredictProbabilities(row.AsSpan(o, Features), probabilities); } }),
            ("QuantizedModel PredictClass", () => { for (int o = 0; o < Offsets; o++) { model.PredictClass(row.AsSpan(o, Features)); } }),
            ("fused FeatureKernel vnni256", () => { for (int o = 0; o < Offsets; o++) { FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref bytes[0], ref layer.Weights, layer.InputBytes, Classes, ref sums[0]); } }),
            ("fused + tail composed", () => { for (int o = 0; o < Offsets; o++) { FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref bytes[0], ref layer.Weights, layer.InputBytes, Classes, ref sums[0]); LevelKernel.Values<Simd512, Vector512<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); Probabilities<SoftmaxHead>(ref logits[0], ref probabilities[0]); } }),
            ("fused + tail 256 composed", () => { for (int o = 0; o < Offsets; o++) { FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref bytes[0], ref layer.Weights, layer.InputBytes, Classes, ref sums[0]); LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); Probabilities256<SoftmaxHead>(ref logits[0], ref probabilities[0]); } }),
            ("tail 256", () => { for (int o = 0; o < Offsets; o++) { LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); Probabilities256<SoftmaxHead>(ref logits[0], ref probabilities[0]); } }),
            ("fused + values 512 only", () => { for (int o = 0; o < Offsets; o++) { FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref bytes[0], ref layer.Weights, layer.InputBytes, Classes, ref sums[0]); LevelKernel.Values<Simd512, Vector512<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); } }),
            ("fused + values 128 only", () => { for (int o = 0; o < Offsets; o++) { FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref bytes[0], ref layer.Weights, layer.InputBytes, Classes, ref sums[0]); LevelKernel.Values<Simd128, Vector128<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); } }),
            ("fused + values 256 only", () => { for (int o = 0; o < Offsets; o++) { FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref bytes[0], ref layer.Weights, layer.InputBytes, Classes, ref sums[0]); LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); } }),
            ("values 256 alone", () => { for (int o = 0; o < Offsets; o++) { LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); } }),
            ("softmax 256 alone", () => { for (int o = 0; o < Offsets; o++) { Probabilities256<SoftmaxHead>(ref logits[0], ref probabilities[0]); } }),
            ("interleaved kernel", () => { for (int o = 0; o < Offsets; o++) { InterleavedKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref Unsafe.As<float, byte>(ref interleaved.Origin), Classes, ref sums[0]); } }),
            ("interleaved + values 256", () => { for (int o = 0; o < Offsets; o++) { InterleavedKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref Unsafe.As<float, byte>(ref interleaved.Origin), Classes, ref sums[0]); LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); } }),
            ("interleaved + values 256 + halves", () => { for (int o = 0; o < Offsets; o++) { InterleavedKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref Unsafe.As<float, byte>(ref interleaved.Origin), Classes, ref sums[0]); LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); SoftmaxHalves.Probabilities(ref logits[0], Classes, ref probabilities[0]); } }),
            ("interleaved + halves of other logits", () => { for (int o = 0; o < Offsets; o++) { InterleavedKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref Unsafe.As<float, byte>(ref interleaved.Origin), Classes, ref sums[0]); SoftmaxHalves.Probabilities(ref otherLogits[0], Classes, ref probabilities[0]); } }),
            ("interleaved + zmm zero store", () => { for (int o = 0; o < Offsets; o++) { InterleavedKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref Unsafe.As<float, byte>(ref interleaved.Origin), Classes, ref sums[0]); Vector512<float>.Zero.StoreUnsafe(ref otherLogits[0]); } }),
            ("interleaved + ymm zero stores", () => { for (int o = 0; o < Offsets; o++) { InterleavedKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref Unsafe.As<float, byte>(ref interleaved.Origin), Classes, ref sums[0]); Vector256<float>.Zero.StoreUnsafe(ref otherLogits[0]); Vector256<float>.Zero.StoreUnsafe(ref otherLogits[8]); } }),
            ("fused + values 256 + halves", () => { for (int o = 0; o < Offsets; o++) { FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, UniformMap>(ref row[o], in map, Features, ref bytes[0], ref layer.Weights, layer.InputBytes, Classes, ref sums[0]); LevelKernel.Values<Simd256, Vector256<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); SoftmaxHalves.Probabilities(ref logits[0], Classes, ref probabilities[0]); } }),
            ("halves alone", () => { for (int o = 0; o < Offsets; o++) { SoftmaxHalves.Probabilities(ref logits[0], Classes, ref probabilities[0]); } }),
            ("bytes 512", () => { for (int o = 0; o < Offsets; o++) { LevelKernel.Features<Simd512, Vector512<float>, UniformMap>(ref row[o], in map, Features, ref bytes[0]); } }),
            ("bytes 256", () => { for (int o = 0; o < Offsets; o++) { LevelKernel.Features<Simd256, Vector256<float>, UniformMap>(ref row[o], in map, Features, ref bytes[0]); } }),
            ("sums vnni256", () => { for (int o = 0; o < Offsets; o++) { layer.Sums<VnniProducts256, Vector256<byte>, Vector256<int>>(ref bytes[0], ref sums[0]); } }),
            ("tail: values + softmax 512", () => { for (int o = 0; o < Offsets; o++) { LevelKernel.Values<Simd512, Vector512<float>, IdentityFunction>(ref sums[0], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f, ref logits[0]); Probabilities<SoftmaxHead>(ref logits[0], ref probabilities[0]); } }),
        ];

        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(3))
        {
            foreach ((_, Action call) in calls)
            {
                Time(call);
            }
        }

        var times = calls.Select(_ => new List<double>()).ToArray();
        for (int round = 0; round < 21; round++)
        {
            for (int k = 0; k < calls.Length; k++)
            {
                times[k].Add(Time(calls[k].Run));
            }
        }

        double cyclesPerNs = 144 / Median(times[0]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"clock {cyclesPerNs:F2} GHz (median), {144 / times[0].Min():F2} (fastest)"));
        for (int c = 1; c < calls.Length; c++)
        {
            double median = Median(times[c]), least = times[c].Min();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{calls[c].Name,-48} median {median,7:F1} ns ({median * cyclesPerNs,5:F0} cycles), least {least,7:F1} ns"));
        }
    }

    // ns per row (per 16 offsets / 16), over ~5 ms.
    private static double Time(Action call)
    {
        const int Calls = 1 << 9;
        long started = Stopwatch.GetTimestamp();
        for (int i = 0; i < Calls; i++)
        {
            call();
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / Calls / Offsets;
    }

    private static long s_sink = 3;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Clock(int n)
    {
        // Offsets × n dependent 3-cycle multiplies: per "row", n of them.
        long x = s_sink;
        for (int i = 0; i < Offsets * n / 4; i++)
        {
            x *= x;
            x *= x;
            x *= x;
            x *= x;
        }

        s_sink = x | 3;
    }

    private static void Probabilities<THead>(ref float logits, ref float probabilities)
        where THead : struct, IOutputHead => THead.Probabilities<Simd512, Vector512<float>>(ref logits, Classes, ref probabilities);

    private static void Probabilities256<THead>(ref float logits, ref float probabilities)
        where THead : struct, IOutputHead => THead.Probabilities<Simd256, Vector256<float>>(ref logits, Classes, ref probabilities);

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
