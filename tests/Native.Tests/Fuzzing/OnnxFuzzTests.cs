using System.Buffers.Binary;
using System.Text;
using Native.Numerics;
using Native.Tests.Kernels;
using Xunit.Abstractions;

namespace Native.Tests.Fuzzing;

/// <summary>
/// Mutants of valid ONNX files — Native's own exports of every kind (float, and int8 in QDQ form), and files from PyTorch's exporter and the
/// scikit-learn script — read by <see cref="ModelFile.Load(Stream, ModelFormat, string?)"/>: byte-level damage anywhere, and damage that
/// knows the wire format (a varint, a string, an op type, a float replaced; a field deleted, duplicated, renumbered
/// or given another wire type), written back with every length fixed so that it reaches the graph reader.
/// </summary>
public sealed class OnnxFuzzTests(ITestOutputHelper output)
{
    private static readonly ulong[] Varints =
    [
        0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 16, 17, 23, 24, 255, 256, 784, 65_536, int.MaxValue, 1UL << 31, uint.MaxValue, 1UL << 32,
        long.MaxValue, 1UL << 63, ulong.MaxValue, unchecked((ulong)-1L), unchecked((ulong)-2L),
    ];

    private static readonly string[] Strings =
    [
        "", "input", "output", "x", "logits", "probabilities", "label", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu",
        "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Identity", "Flatten", "Reshape", "Dropout", "Cast", "Constant", "ArgMax", "Gather",
        "Conv", "If", "Loop", "LinearClassifier", "LinearRegressor", "Scaler", "ZipMap", "ArrayFeatureExtractor", "ai.onnx.ml", "ai.onnx",
        "com.microsoft", "alpha", "beta", "transA", "transB", "axis", "to", "value", "coefficients", "intercepts", "post_transform",
        "LOGISTIC", "SOFTMAX", "NONE", "native.kind", "layers.0.weight", "layers.0.bias", "\u00e9\u00e8", "\uD83D\uDC26",
        "Clip", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "MatMulInteger", "block_size", "output_dtype", "saturate",
        "layers.0.weight_dequantized", "layers.0.input_dequantized", "layers.1.input_scale", "layers.0.input_zero_point", "layers.0.weight_scale",
    ];

    private static readonly float[] Floats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1f, -1f, 0.5f, float.MaxValue, float.Epsilon, 1e30f];

    private static readonly byte[][] Seeds = MakeSeeds();

    /// <summary>The int8 exports among the seeds (QDQ), fuzzed on their own too so that damage reaches their checks often.</summary>
    private static readonly byte[][] QuantizedSeeds = [.. Seeds.Where(seed => Encoding.UTF8.GetString(seed).Contains("QuantizeLinear", StringComparison.Ordinal))];

    [Fact]
    public void EveryMutantLoadsOrIsRefusedWithFileFormatException() =>
        Fuzzer.Run("onnx", output, index => Mutate(index, Seeds), Load, Verify);

    [Fact]
    public void EveryMutantOfAnInt8ExportLoadsOrIsRefusedWithFileFormatException()
    {
        Assert.Equal(4, QuantizedSeeds.Length);
        Fuzzer.Run("onnx int8", output, index => Mutate(index, QuantizedSeeds), Load, Verify, mutants: Math.Max(1, Fuzzer.Mutants / 5));
    }

    [Fact]
    public void TheSeedsLoad()
    {
        foreach (byte[] seed in Seeds)
        {
            Verify(ModelFile.Load(new MemoryStream(seed), ModelFormat.Onnx, "seed"));
        }
    }

    private static TrainedModel Load(Mutant mutant)
    {
        using Stream stream = mutant.Open();
        return ModelFile.Load(stream, ModelFormat.Onnx, "mutant");
    }

    private static void Verify(TrainedModel loaded)
    {
        ModelFileFuzzTests.Verify(loaded);
        Assert.Equal(loaded.ClassNames.Count, loaded.ClassNames.Distinct(StringComparer.Ordinal).Count());
    }

    private static Mutant Mutate(int index, byte[][] seeds)
    {
        Random random = Fuzzer.CaseRandom(index);
        int seed = random.Next(seeds.Length);
        byte[] bytes = seeds[seed];
        var steps = new List<string> { $"seed {seed}" };

        // Most cases start with damage that knows the wire format, then some byte-level damage.
        if (random.Next(10) < 7)
        {
            for (int rounds = 1 + (random.Next(4) == 0 ? 1 : 0); rounds > 0; rounds--)
            {
                bytes = Structured(random, bytes, out string step);
                steps.Add(step);
            }
        }

        for (int rounds = random.Next(10) < 6 ? 0 : 1 + random.Next(3); rounds > 0; rounds--)
        {
            (bytes, string step) = Mutations.Any(random, bytes);
            steps.Add(step);
        }

        return new Mutant(bytes, string.Join("; ", steps), Seekable: random.Next(4) != 0, bytes.Length);
    }

    private static byte[] Structured(Random random, byte[] file, out string step)
    {
        List<ProtobufTree>? tree = ProtobufTree.Parse(file);
        if (tree is null)
        {
            step = "not a message any more: unchanged";
            return file;
        }

        var fields = ProtobufTree.All(tree).ToList();
        (ProtobufTree field, List<ProtobufTree> parent) = fields[random.Next(fields.Count)];
        switch (random.Next(8))
        {
            case 0 when field.Wire == 0:
            case 1 when field.Wire == 0:
                ulong value = random.Next(3) == 0 ? field.Varint + (ulong)random.Next(-2, 3) : Varints[random.Next(Varints.Length)];
                step = $"varint field {field.Field} = {field.Varint} set to {value}";
                field.Varint = value;
                break;
            case 2 when field.Wire == 2:
            case 3 when field.Wire == 2 && field.Children is null:
                string text = Strings[random.Next(Strings.Length)];
                step = $"field {field.Field} ({field.Bytes.Length} bytes) set to \"{text}\"";
                field.Bytes = random.Next(20) == 0 ? [0xFF, 0xFE, 0x80] : Encoding.UTF8.GetBytes(text);
                field.Children = null;
                break;
            case 4:
                parent.Remove(field);
                step = $"field {field.Field} deleted";
                break;
            case 5:
                parent.Insert(parent.IndexOf(field) + 1, field.Clone());
                step = $"field {field.Field} duplicated";
                break;
            case 6:
                if (field.Wire == 5)
                {
                    float f = Floats[random.Next(Floats.Length)];
                    field.Bytes = new byte[4];
                    BinaryPrimitives.WriteSingleLittleEndian(field.Bytes, f);
                    step = $"float field {field.Field} set to {f}";
                }
                else if (field.Wire == 2 && field.Children is null && field.Bytes.Length >= 4)
                {
                    // raw_data and packed values: a special float somewhere, or the length off by a few values.
                    byte[] bytes = [.. field.Bytes];
                    if (random.Next(2) == 0)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * random.Next(bytes.Length / 4)), Floats[random.Next(Floats.Length)]);
                        step = $"a float in field {field.Field} replaced";
                    }
                    else
                    {
                        int change = 4 * random.Next(-2, 3);
                        bytes = change < 0 ? bytes[..Math.Max(0, bytes.Length + change)] : [.. bytes, .. new byte[change]];
                        step = $"field {field.Field} resized by {change} bytes";
                    }

                    field.Bytes = bytes;
                }
                else
                {
                    field.Field = 1 + random.Next(25);
                    step = $"a field renumbered {field.Field}";
                }

                break;
            default:
                int wire = new[] { 0, 1, 2, 5 }[random.Next(4)];
                step = $"field {field.Field} wire type {field.Wire} changed to {wire}";
                field.Bytes = wire switch { 1 => new byte[8], 5 => new byte[4], _ => field.Children is null ? field.Bytes : ProtobufTree.Write(field.Children) };
                field.Children = null;
                field.Wire = wire;
                break;
        }

        return ProtobufTree.Write(tree);
    }

    private static byte[][] MakeSeeds()
    {
        var standardizer = Standardizer.FromStatistics([0.5f, -1f, 2f, 0f], [1f, 0.25f, 3f, 1e-3f]);
        var properties = new Dictionary<string, string> { ["learning_rate"] = "0.1", ["accuracy"] = "0.92" };
        (IModel Model, ModelMetadata Metadata)[] models =
        [
            (new LinearRegression(3), new ModelMetadata { Properties = properties }),
            (new LogisticRegression(4), new ModelMetadata { ClassNames = ["no", "yes"], Standardizer = standardizer }),
            (new SoftmaxRegression(4, 3), new ModelMetadata { ClassNames = ["a", "b", "c"], Standardizer = standardizer, Properties = properties }),
            (new MultilayerPerceptron([4, 5, 3], Activation.Relu), new ModelMetadata()),
            (new MultilayerPerceptron(ModelShape.MultilayerPerceptron([3, 4, 4, 2], [Activation.LeakyRelu, Activation.Tanh], 0.1f)), new ModelMetadata { ClassNames = ["x", "y"] }),
        ];
        var seeds = models.Select((m, i) =>
        {
            DenseKernelTests.Random(m.Model.Parameters.Length, i).CopyTo(m.Model.Parameters);
            using var stream = new MemoryStream();
            ModelFile.Save(m.Model, stream, ModelFormat.Onnx, m.Metadata);
            return stream.ToArray();
        }).ToList();

        // Native's int8 exports (QDQ: Clip, QuantizeLinear, DequantizeLinear before each Gemm), calibrated on their own rows.
        foreach (string kind in new[] { "logistic", "softmax", "relu-tanh" })
        {
            (TrainedModel trained, float[] rows) = Quantization.QuantizedTrainedModelTests.Trained(kind, features: 5, seed: 7);
            using var stream = new MemoryStream();
            ModelFile.Save(trained.Quantize(rows), stream, ModelFormat.Onnx);
            seeds.Add(stream.ToArray());
        }

        // An int8 model that keeps a table's pipeline: the pipeline's graph (string inputs, LabelEncoder, one-hot) before QDQ layers.
        TableData loans = Data.Tables.TableTestData.Read(Data.Tables.TableTestData.Loans, new TableOptions { MissingTokens = ["NA"], MissingIndicators = true });
        var table = new MultilayerPerceptron([loans.Pipeline.Features, 4, 2], Activation.Relu);
        DenseKernelTests.Random(table.Parameters.Length, 9).CopyTo(table.Parameters);
        using (var stream = new MemoryStream())
        {
            ModelFile.Save(new TrainedModel(table, loans.Metadata).Quantize(loans), stream, ModelFormat.Onnx);
            seeds.Add(stream.ToArray());
        }

        // Real exporters' files: PyTorch's (Flatten, Reshape, LogSoftmax, MatMul) and the scikit-learn script's (ai.onnx.ml).
        foreach (string name in new[]
        {
            "torch_mlp_relu_tanh_opset11", "torch_mlp_flatten_leaky_logsoftmax_opset12", "torch_reshape_standardized_opset10",
            "torch_mlp_matmul_logits_opset14", "sklearn_logistic_binary_scaler", "sklearn_linear_regression_diabetes", "sklearn_mlp_binary_cancer",
        })
        {
            seeds.Add(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures", name + ".onnx")));
        }

        return [.. seeds];
    }
}
