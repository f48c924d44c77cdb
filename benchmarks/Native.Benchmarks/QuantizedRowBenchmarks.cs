using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;

namespace Native.Benchmarks;

/// <summary>
/// Issue 23's one-row target (784 × 10 int8 softmax, ≤ 100 ns): one row's probabilities, the row at each of the 16 float
/// offsets of a cache line in turn, int8 beside float32 (the baseline), as users call them (<see cref="TrainedModel"/>), and
/// the engine's parts: the class alone, a standardizer folded in (a scale and offset per feature), the path without VNNI
/// (AMD Zen 4's: <c>vpmaddubsw</c> at 512 bits), and the row's sums alone (<see cref="InterleavedKernel"/>, against the
/// row-major <see cref="FeatureKernel"/> it replaced for one row).
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*QuantizedRowBenchmarks*'</c>. On a
/// shared, noisy machine <c>-- int8row</c> alternates the same calls and the row's steps in one process instead
/// (<see cref="Alternate"/>) and prints medians, in nanoseconds and in cycles of a clock measured beside them.
/// </remarks>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
public class QuantizedRowBenchmarks
{
    private const int Offsets = 16, Features = 784, Classes = 10;

    private Setting _setting = null!;

    [GlobalSetup]
    public void Setup() => _setting = new Setting();

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets, Description = "float32 TrainedModel.PredictProbabilities")]
    public void FloatRow() => _setting.FloatRow();

    [Benchmark(OperationsPerInvoke = Offsets, Description = "int8 TrainedModel.PredictProbabilities")]
    public void Int8Row() => _setting.Int8Row();

    [Benchmark(OperationsPerInvoke = Offsets, Description = "int8 PredictClass")]
    public void Int8Class() => _setting.Int8Class();

    [Benchmark(OperationsPerInvoke = Offsets, Description = "int8 PredictProbabilities, standardizer folded in")]
    public void Int8Standardized() => _setting.Int8Standardized();

    [Benchmark(OperationsPerInvoke = Offsets, Description = "int8 PredictProbabilities without VNNI (vpmaddubsw 512-bit)")]
    public void Int8WithoutVnni() => _setting.Int8WithoutVnni();

    [Benchmark(OperationsPerInvoke = Offsets, Description = "sums alone: InterleavedKernel (vpdpbusd 256-bit)")]
    public void Sums() => _setting.Sums();

    [Benchmark(OperationsPerInvoke = Offsets, Description = "sums alone: FeatureKernel, row-major (vpdpbusd 256-bit)")]
    public void SumsRowMajor() => _setting.SumsRowMajor();

    /// <summary>The calls above and the row's steps, alternated in rounds in one process; medians and least of 21 rounds.</summary>
    public static void Alternate(TextWriter output)
    {
        var s = new Setting();
        (string Name, Action Run)[] calls =
        [
            ("clock: 48 dependent 3-cycle multiplies", () => Clock(48)),
            ("float32 TrainedModel.PredictProbabilities", s.FloatRow),
            ("int8 TrainedModel.PredictProbabilities", s.Int8Row),
            ("int8 PredictProbabilities (the engine)", s.Int8Engine),
            ("int8 PredictClass", s.Int8Class),
            ("int8 PredictProbabilities, standardizer folded in", s.Int8Standardized),
            ("int8 PredictProbabilities without VNNI, 512-bit", s.Int8WithoutVnni),
            ("int8 PredictProbabilities without VNNI, 256-bit", s.Int8WithoutVnni256),
            ("int8 PredictProbabilities, VNNI with 256-bit floats", s.Int8Vnni256),
            ("sums: InterleavedKernel", s.Sums),
            ("sums: FeatureKernel, row-major", s.SumsRowMajor),
            ("sums + logits (256-bit)", s.SumsLogits),
            ("sums + logits + SoftmaxHalves", s.SumsLogitsSoftmax),
            ("sums + softmax of other logits (no dependency)", s.SumsOtherSoftmax),
            ("before: FeatureKernel + logits and softmax at 512 bits", s.Before),
            ("SoftmaxHalves alone", s.Softmax),
            ("logits and softmax at 512 bits alone", s.Tail512),
            ("experiment: sums without the clamp at 0 or the check", s.Unclamped),
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

        double gigahertz = 144 / Median(times[0]);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"clock {gigahertz:F2} GHz (median of the rounds), {144 / times[0].Min():F2} GHz (fastest); per row:"));
        for (int c = 1; c < calls.Length; c++)
        {
            double median = Median(times[c]), least = times[c].Min();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{calls[c].Name,-58} median {median,6:F1} ns ({median * gigahertz,4:F0} cycles), least {least,6:F1} ns"));
        }
    }

    // ns per row, over 512 calls of 16 rows.
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

    // Offsets × n dependent 64-bit multiplies (3 cycles each): per "row", 3n cycles.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Clock(int n)
    {
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

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    // The models, rows and buffers, and each measured call over the 16 offsets.
    private sealed class Setting
    {
        private readonly float[] _row = new float[Features + Offsets];
        private readonly float[] _probabilities = new float[Classes];
        private readonly TrainedModel _float;
        private readonly TrainedModel _int8;
        private readonly QuantizedModel _engine;
        private readonly QuantizedModel _standardized;
        private readonly QuantizedModel _withoutVnni;
        private readonly QuantizedModel _withoutVnni256;
        private readonly QuantizedModel _vnni256;
        private readonly PackedLayer _layer;
        private readonly AlignedBuffer _interleaved;
        private readonly ZeroPointMap _map;
        private readonly byte[] _bytes;
        private readonly int[] _sums;
        private readonly float[] _logits;
        private readonly float[] _otherLogits;

        public Setting()
        {
            // Trained-looking parameters and pixel-like rows, as QuantizedPeerBenchmarks has them; 256 rows to calibrate on.
            var softmax = new SoftmaxRegression(Features, Classes);
            var random = new Random(1);
            float scale = 2f / MathF.Sqrt(Features);
            foreach (ref float parameter in softmax.Parameters)
            {
                parameter = (float)(random.NextDouble() - 0.5) * scale;
            }

            float[] calibration = new float[256 * Features];
            foreach (float[] rows in new[] { _row, calibration })
            {
                for (int i = 0; i < rows.Length; i++)
                {
                    rows[i] = (float)random.NextDouble();
                }
            }

            _float = new TrainedModel(softmax);
            _int8 = _float.Quantize(calibration);
            QuantizedParameters parameters = Quantizer.Quantize(softmax.Shape, softmax.Parameters, null, calibration, ActivationScaling.Calibrated);
            _engine = QuantizedModel.Create(parameters);
            _standardized = QuantizedModel.Create(Quantizer.Quantize(softmax.Shape, softmax.Parameters, Standardizer.Fit(calibration, Features), calibration, ActivationScaling.Calibrated));
            _withoutVnni = QuantizedModel.Create(parameters);
            _withoutVnni.Path = IntegerDispatch.Select(SimdWidth.Vector512, vnni: false);
            _withoutVnni256 = QuantizedModel.Create(parameters);
            _withoutVnni256.Path = IntegerDispatch.Select(SimdWidth.Vector256, vnni: false);
            _vnni256 = QuantizedModel.Create(parameters);
            _vnni256.Path = IntegerDispatch.Select(SimdWidth.Vector256, vnni: true);

            _layer = new PackedLayer(parameters.Layers[0], activation: null, LayerForm.DotProduct);
            _interleaved = InterleavedKernel.Interleave(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, sbyte>(ref _layer.Weights), Classes * _layer.InputBytes), _layer.InputBytes, Features, Classes);
            _map = QuantizedModel.ZeroPointMapOf(parameters);
            _bytes = new byte[_layer.InputBytes];
            _sums = new int[_layer.PaddedOutputs];
            _logits = new float[_layer.PaddedOutputs];
            _otherLogits = new float[_layer.PaddedOutputs];
        }

        public void FloatRow()
        {
            for (int o = 0; o < Offsets; o++)
            {
                _float.PredictProbabilities(_row.AsSpan(o, Features), _probabilities);
            }
        }

        public void Int8Row()
        {
            for (int o = 0; o < Offsets; o++)
            {
                _int8.PredictProbabilities(_row.AsSpan(o, Features), _probabilities);
            }
        }

        public void Int8Engine() => Probabilities(_engine);

        public void Int8Class()
        {
            for (int o = 0; o < Offsets; o++)
            {
                _engine.PredictClass(_row.AsSpan(o, Features));
            }
        }

        public void Int8Standardized() => Probabilities(_standardized);

        public void Int8WithoutVnni() => Probabilities(_withoutVnni);

        public void Int8WithoutVnni256() => Probabilities(_withoutVnni256);

        public void Int8Vnni256() => Probabilities(_vnni256);

        public void Sums()
        {
            for (int o = 0; o < Offsets; o++)
            {
                Interleaved(o);
            }
        }

        public void SumsRowMajor()
        {
            for (int o = 0; o < Offsets; o++)
            {
                FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, ZeroPointMap>(ref _row[o], in _map, Features, ref _bytes[0], ref _layer.Weights, _layer.InputBytes, Classes, ref _sums[0]);
            }
        }

        public void SumsLogits()
        {
            for (int o = 0; o < Offsets; o++)
            {
                Interleaved(o);
                Logits<Simd256, Vector256<float>>();
            }
        }

        public void SumsLogitsSoftmax()
        {
            for (int o = 0; o < Offsets; o++)
            {
                Interleaved(o);
                Logits<Simd256, Vector256<float>>();
                SoftmaxHalves.Probabilities(ref _logits[0], Classes, ref _probabilities[0]);
            }
        }

        public void SumsOtherSoftmax()
        {
            for (int o = 0; o < Offsets; o++)
            {
                Interleaved(o);
                SoftmaxHalves.Probabilities(ref _otherLogits[0], Classes, ref _probabilities[0]);
            }
        }

        public void Before()
        {
            for (int o = 0; o < Offsets; o++)
            {
                FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, ZeroPointMap>(ref _row[o], in _map, Features, ref _bytes[0], ref _layer.Weights, _layer.InputBytes, Classes, ref _sums[0]);
                Logits<Simd512, Vector512<float>>();
                Probabilities512<SoftmaxHead>(ref _logits[0], ref _probabilities[0]);
            }
        }

        public void Softmax()
        {
            for (int o = 0; o < Offsets; o++)
            {
                SoftmaxHalves.Probabilities(ref _logits[0], Classes, ref _probabilities[0]);
            }
        }

        public void Tail512()
        {
            for (int o = 0; o < Offsets; o++)
            {
                Logits<Simd512, Vector512<float>>();
                Probabilities512<SoftmaxHead>(ref _logits[0], ref _probabilities[0]);
            }
        }

        public void Unclamped()
        {
            for (int o = 0; o < Offsets; o++)
            {
                Unclamped(ref _row[o], Features, ref Unsafe.As<float, byte>(ref _interleaved.Origin));
            }
        }

        private static void Probabilities512<THead>(ref float logits, ref float probabilities)
            where THead : struct, IOutputHead => THead.Probabilities<Simd512, Vector512<float>>(ref logits, Classes, ref probabilities);

        private void Probabilities(QuantizedModel model)
        {
            for (int o = 0; o < Offsets; o++)
            {
                model.PredictProbabilities(_row.AsSpan(o, Features), _probabilities);
            }
        }

        private void Interleaved(int offset) =>
            InterleavedKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, ZeroPointMap>(ref _row[offset], in _map, Features, ref Unsafe.As<float, byte>(ref _interleaved.Origin), Classes, ref _sums[0]);

        private void Logits<TSimd, TVector>()
            where TSimd : ISimd<TVector>
            where TVector : struct =>
            LevelKernel.Values<TSimd, TVector, IdentityFunction>(ref _sums[0], ref _layer.WeightSums, _layer.InputZeroPoint, _layer.InputScale, ref _layer.WeightScales, ref _layer.Biases, _layer.PaddedOutputs, 0f, ref _logits[0]);

        // What the sums would cost without the clamp at 0 and the check for features without a level (2 of a step's 20
        // operations on ports 0 and 1): not the engine's bits for a row with a feature below its range, only the bound.
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        private void Unclamped(ref float x, int count, ref byte w)
        {
            if (!AvxVnni.IsSupported)
            {
                return;
            }

            Vector256<float> scale = Vector256.Create(_map.Scale), offset = Vector256.Create(_map.Offset);
            Vector256<int> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default, s8 = default, s9 = default;
            nint last = count - InterleavedKernel.Step;
            for (nint k = 0; ; k += InterleavedKernel.Step)
            {
                nint j = Math.Min(k, last);
                Vector256<byte> u = LevelKernel.Quad<Simd256, Vector256<float>, ZeroPointMap>(ref x, in _map, j, scale, offset).AsByte();
                s0 = AvxVnni.MultiplyWideningAndAdd(s0, u, Vector256.LoadUnsafe(ref w).AsSByte());
                s1 = AvxVnni.MultiplyWideningAndAdd(s1, u, Vector256.LoadUnsafe(ref w, 32).AsSByte());
                s2 = AvxVnni.MultiplyWideningAndAdd(s2, u, Vector256.LoadUnsafe(ref w, 64).AsSByte());
                s3 = AvxVnni.MultiplyWideningAndAdd(s3, u, Vector256.LoadUnsafe(ref w, 96).AsSByte());
                s4 = AvxVnni.MultiplyWideningAndAdd(s4, u, Vector256.LoadUnsafe(ref w, 128).AsSByte());
                s5 = AvxVnni.MultiplyWideningAndAdd(s5, u, Vector256.LoadUnsafe(ref w, 160).AsSByte());
                s6 = AvxVnni.MultiplyWideningAndAdd(s6, u, Vector256.LoadUnsafe(ref w, 192).AsSByte());
                s7 = AvxVnni.MultiplyWideningAndAdd(s7, u, Vector256.LoadUnsafe(ref w, 224).AsSByte());
                s8 = AvxVnni.MultiplyWideningAndAdd(s8, u, Vector256.LoadUnsafe(ref w, 256).AsSByte());
                s9 = AvxVnni.MultiplyWideningAndAdd(s9, u, Vector256.LoadUnsafe(ref w, 288).AsSByte());
                w = ref Unsafe.Add(ref w, 10 * InterleavedKernel.Step);
                if (j == last)
                {
                    break;
                }
            }

            Vector256.Create(Lanes128.SumEach(s0, s1, s2, s3), Lanes128.SumEach(s4, s5, s6, s7)).StoreUnsafe(ref _sums[0]);
            Vector256.Create(Lanes128.SumEach(s8, s9, default, default), default).StoreUnsafe(ref _sums[0], 8);
        }
    }
}
