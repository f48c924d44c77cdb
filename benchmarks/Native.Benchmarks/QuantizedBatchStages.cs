using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;

namespace Native.Benchmarks;

/// <summary>
/// Where an int8 batch's time goes, in one process: the whole batch (64 rows, ns per row) beside ONNX Runtime's float32 batch
/// and Native's float32 (<see cref="QuantizedPeerBenchmarks"/>'s own setup, so the same model, rows and bindings), and each
/// stage alone on the same data — the rows to bytes, each layer's sums (the kernel before this round's change beside the
/// current one), a hidden layer's sums to the next bytes — with and without VNNI, against the byte ceiling
/// (<see cref="IntegerCeiling"/>). For the 784-128-10 ReLU perceptron (the default) or the 784 × 10 softmax regression.
/// </summary>
/// <remarks>
/// Rounds of 10 ms alternate the measurements; each prints the median, 10th percentile and least of the rounds. On a shared
/// machine the least and the ratios within rounds are what to read; the float steps run at 512 bits.
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- int8-batch [rounds] [perceptron|softmax]</c>.
/// </remarks>
public static class QuantizedBatchStages
{
    private const int Rows = 64, Features = 784, Hidden = 128;

    /// <summary>Prints the figures of <paramref name="rounds"/> rounds to <paramref name="output"/>, for <paramref name="which"/> model ("softmax", or the perceptron).</summary>
    public static void Print(TextWriter output, int rounds, string? which = null)
    {
        if (which == "softmax")
        {
            PrintSoftmax(output, rounds);
            return;
        }

        using var peers = new QuantizedPeerBenchmarks { Model = "perceptron 784-128-10" };
        peers.Setup();

        // The same parameters and calibration as the peers' int8 model, the layers packed as the engine packs them.
        var model = new MultilayerPerceptron([Features, Hidden, 10], Activation.Relu, seed: 0);
        var random = new Random(1);
        (QuantizedParameters parameters, float[] rows) = Quantized(model, random);
        var first = new PackedLayer(parameters.Layers[0], Activation.Relu);
        var second = new PackedLayer(parameters.Layers[1], null);
        QuantizedModel withoutVnni = QuantizedModel.Create(parameters);
        withoutVnni.Path = IntegerDispatch.Select(SimdSupport.Preferred, vnni: false);
        float[] probabilities = new float[Rows * 10];

        // The stages' inputs: the rows' bytes (as the engine makes them), then bytes for the output layer.
        byte[] bytes = new byte[Rows * first.InputBytes];
        byte[] hiddenBytes = new byte[Rows * second.InputBytes];
        for (int i = 0; i < hiddenBytes.Length; i++)
        {
            hiddenBytes[i] = (byte)random.Next(128);
        }

        int[] sums = new int[Rows * first.PaddedOutputs];
        var map = QuantizedModel.ZeroPointMapOf(parameters);
        IntegerPath preferred = IntegerDispatch.Preferred, plain = IntegerDispatch.Select(SimdSupport.Preferred, vnni: false);

        var measures = new (string Name, Action Run)[]
        {
            ("batch: Native int8 (" + preferred + ")", peers.BatchNativeInt8),
            ("batch: Native int8 (" + plain + ")", () => withoutVnni.PredictProbabilities(rows, probabilities)),
            ("batch: ONNX Runtime float32", peers.BatchOnnxRuntimeFloat),
            ("stage: rows to bytes", () => Levels(rows, map, bytes, first.InputBytes)),
            ("stage: hidden sums (" + preferred + ")", () => Sums(preferred, bytes, first, sums)),
            ("stage: hidden sums (" + preferred + "), before", () => Sums(preferred, bytes, first, sums, previous: true)),
            ("stage: hidden sums (" + plain + ")", () => Sums(plain, bytes, first, sums)),
            ("stage: hidden sums (" + plain + "), before", () => Sums(plain, bytes, first, sums, previous: true)),
            ("stage: hidden sums to bytes", () => HiddenBytes(sums, first, second, hiddenBytes)),
            ("stage: output sums (" + preferred + ")", () => Sums(preferred, hiddenBytes, second, sums)),
            ("stage: output sums (" + plain + ")", () => Sums(plain, hiddenBytes, second, sums)),
        };

        double[][] times = Measure(measures, rounds);
        Report(output, measures, times, rounds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hidden layer at the byte ceiling ({IntegerCeiling.BytesPerNanosecond():F1} multiply-adds per ns, in registers): {Features * Hidden / IntegerCeiling.BytesPerNanosecond():F1} ns per row"));
        double pairs = IntegerCeiling.BytesPerNanosecond(vnni: false);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hidden layer at the vpmaddubsw ceiling ({pairs:F1} multiply-adds per ns, in registers): {Features * Hidden / pairs:F1} ns per row"));
        double[] ratios = [.. Enumerable.Range(0, rounds).Select(r => times[2][r] / times[0][r]).Order()];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ONNX Runtime float32 / Native int8, per round: median {ratios[rounds / 2]:F3} (min {ratios[0]:F3}, max {ratios[^1]:F3}); of the least times {Least(times[2]) / Least(times[0]):F3}"));
    }

    // The 784 × 10 softmax batch: int8 beside Native's float32 and ONNX Runtime's; its sums in blocks of rows, and one row at
    // a time as before.
    private static void PrintSoftmax(TextWriter output, int rounds)
    {
        using var peers = new QuantizedPeerBenchmarks { Model = "softmax 784x10" };
        peers.Setup();
        var model = new SoftmaxRegression(Features, 10);
        var random = new Random(1);
        (QuantizedParameters parameters, float[] rows) = Quantized(model, random);
        var layer = new PackedLayer(parameters.Layers[0], null);
        QuantizedModel withoutVnni = QuantizedModel.Create(parameters);
        withoutVnni.Path = IntegerDispatch.Select(SimdSupport.Preferred, vnni: false);
        float[] probabilities = new float[Rows * 10];
        byte[] bytes = new byte[Rows * layer.InputBytes];
        int[] sums = new int[Rows * layer.PaddedOutputs];
        var map = QuantizedModel.ZeroPointMapOf(parameters);
        IntegerPath preferred = IntegerDispatch.Preferred, plain = IntegerDispatch.Select(SimdSupport.Preferred, vnni: false);
        var measures = new (string Name, Action Run)[]
        {
            ("batch: Native int8 (" + preferred + ")", peers.BatchNativeInt8),
            ("batch: Native float32", peers.BatchNativeFloat),
            ("batch: ONNX Runtime float32", peers.BatchOnnxRuntimeFloat),
            ("batch: Native int8 (" + plain + ")", () => withoutVnni.PredictProbabilities(rows, probabilities)),
            ("stage: rows to bytes", () => Levels(rows, map, bytes, layer.InputBytes)),
            ("stage: sums (" + preferred + ")", () => Sums(preferred, bytes, layer, sums)),
            ("stage: sums (" + preferred + "), one row at a time", () => Sums(preferred, bytes, layer, sums, previous: true)),
            ("stage: sums (" + plain + ")", () => Sums(plain, bytes, layer, sums)),
            ("stage: sums (" + plain + "), one row at a time", () => Sums(plain, bytes, layer, sums, previous: true)),
        };

        double[][] times = Measure(measures, rounds);
        Report(output, measures, times, rounds);
        double[] ratios = [.. Enumerable.Range(0, rounds).Select(r => times[1][r] / times[0][r]).Order()];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Native float32 / Native int8, per round: median {ratios[rounds / 2]:F3}; of the least times {Least(times[1]) / Least(times[0]):F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sums at the byte ceiling ({IntegerCeiling.BytesPerNanosecond():F1} multiply-adds per ns, in registers): {Features * 10 / IntegerCeiling.BytesPerNanosecond():F1} ns per row"));
    }

    /// <summary>
    /// The peers' int8 model of <paramref name="model"/>'s shape: its parameters drawn as the peers draw them, the batch's rows,
    /// and 256 calibration rows, in that order from <paramref name="random"/>; the layers quantized on the calibration rows.
    /// </summary>
    private static (QuantizedParameters Parameters, float[] Rows) Quantized(IModel model, Random random)
    {
        float scale = 2f / MathF.Sqrt(Features);
        foreach (ref float parameter in model.Parameters)
        {
            parameter = (float)(random.NextDouble() - 0.5) * scale;
        }

        float[] rows = new float[Rows * Features];
        float[] calibration = new float[256 * Features];
        foreach (float[] data in new[] { rows, calibration })
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)random.NextDouble();
            }
        }

        return (Quantizer.Quantize(model.Shape, model.Parameters, null, calibration, ActivationScaling.Calibrated), rows);
    }

    private static double[][] Measure((string Name, Action Run)[] measures, int rounds)
    {
        double[][] times = new double[measures.Length][];
        for (int m = 0; m < measures.Length; m++)
        {
            times[m] = new double[rounds];
            Time(measures[m].Run, TimeSpan.FromSeconds(1));
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int m = 0; m < measures.Length; m++)
            {
                times[m][round] = Time(measures[m].Run, TimeSpan.FromMilliseconds(10));
            }
        }

        return times;
    }

    private static void Report(TextWriter output, (string Name, Action Run)[] measures, double[][] times, int rounds)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ns per row: median, 10th percentile, least of {rounds} rounds; {Environment.ProcessorCount} cores"));
        for (int m = 0; m < measures.Length; m++)
        {
            double[] sorted = [.. times[m].Order()];
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{measures[m].Name,-48} {sorted[rounds / 2],9:F1} {sorted[rounds / 10],9:F1} {sorted[0],9:F1}"));
        }
    }

    private static double Least(double[] times) => times.Min();

    // Nanoseconds per row of one call, over calls filling the given time.
    private static double Time(Action run, TimeSpan span)
    {
        long calls = 0;
        var clock = Stopwatch.StartNew();
        do
        {
            for (int i = 0; i < 16; i++)
            {
                run();
            }

            calls += 16;
        }
        while (clock.Elapsed < span);
        return clock.Elapsed.TotalNanoseconds / calls / Rows;
    }

    private static void HiddenBytes(int[] sums, PackedLayer layer, PackedLayer above, byte[] bytes)
    {
        for (int r = 0; r < Rows; r++)
        {
            LevelKernel.Bytes<Simd512, Vector512<float>, ReluFunction>(
                ref sums[r * layer.PaddedOutputs], ref layer.WeightSums, layer.InputZeroPoint, layer.InputScale, ref layer.WeightScales, ref layer.Biases, layer.PaddedOutputs, 0f,
                above.InputInverse, above.InputZeroPoint, ref bytes[r * above.InputBytes]);
        }
    }

    private static void Levels(float[] rows, ZeroPointMap map, byte[] bytes, int stride)
    {
        for (int r = 0; r < Rows; r++)
        {
            LevelKernel.Features<Simd512, Vector512<float>, ZeroPointMap>(ref rows[r * Features], in map, Features, ref bytes[r * stride]);
        }
    }

    private static void Sums(IntegerPath path, byte[] bytes, PackedLayer layer, int[] sums, bool previous = false)
    {
        var job = new SumsJob(bytes, layer, sums, previous);
        IntegerDispatch.Run<SumsJob, int>(path, ref job);
    }

    private readonly struct SumsJob(byte[] bytes, PackedLayer layer, int[] sums, bool previous) : IIntegerOperation<int>
    {
        public int Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
            where TProducts : IByteProducts<TBytes, TInts>
            where TBytes : struct
            where TInts : struct
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            if (previous && layer.Form == LayerForm.DotProduct)
            {
                for (int r = 0; r < Rows; r++)
                {
                    DotProductKernel.Row<TProducts, TBytes, TInts>(ref bytes[r * layer.InputBytes], ref layer.Weights, layer.InputBytes, layer.Inputs, layer.Outputs, ref sums[r * layer.PaddedOutputs]);
                }
            }
            else if (previous)
            {
                PreviousBroadcastRows.Rows<TProducts, TBytes, TInts>(ref bytes[0], layer.InputBytes, Rows, ref layer.Weights, layer.Groups, layer.PaddedOutputs, ref sums[0]);
            }
            else
            {
                layer.Sums<TProducts, TBytes, TInts>(ref bytes[0], Rows, ref sums[0]);
            }

            return 0;
        }
    }
}
