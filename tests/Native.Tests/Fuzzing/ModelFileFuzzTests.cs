using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Native.Numerics;
using Native.Tests.Kernels;
using Xunit.Abstractions;

namespace Native.Tests.Fuzzing;

/// <summary>
/// Mutants of valid model files: byte-level damage anywhere, and damage that knows the format — the 8-byte
/// header length overwritten (huge, zero, off by one), numbers and strings in the JSON header replaced
/// (sizes, offsets, dtypes, layer sizes; the header length then fixed so the damage reaches the parser's
/// deeper checks), JSON punctuation inserted, tensor entries deleted or duplicated, non-finite floats in the
/// data, the data section lengthened or shortened; and, for the seeds that keep a feature pipeline, damage inside the
/// pipeline's own JSON (its numbers, strings and punctuation, a column deleted or duplicated), written back so that the
/// header stays valid and the damage reaches the pipeline's checks.
/// </summary>
public sealed partial class ModelFileFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "-", " ", "\n", "é", "\"__metadata__\":{},",
        "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},", "\"x\":1,", "[[[[[[[[[[", "1e999", "-0",
    ];

    private static readonly string[] Strings =
    [
        "F32", "F64", "F16", "BF16", "I64", "U8", "BOOL", "XYZ", "", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "layers.2.bias", "__metadata__", "native.kind", "native.format", "native.layer_sizes", "native.activations", "native.class_names",
        "native.standardizer.means", "native.leaky_relu_slope", "linear_regression", "logistic_regression", "softmax_regression",
        "multilayer_perceptron", "relu", "leaky_relu", "tanh", "[]", "[1]", "[3,2]", "[4,5,3]", "[\\\"a\\\"]", "1", "2", "dtype", "shape", "data_offsets",
        "I8", "3", "native.quantization", "int8_calibrated", "int8_per_row", "layers.0.weight_scale", "layers.0.input_quantization", "layers.1.weight_scale",
    ];

    private static readonly string[] PipelineStrings =
    [
        "number", "category", "ignored", "ignore", "error", "mean", "median", "name", "kind", "offset", "width", "fill", "indicator",
        "categories", "other", "missing_slot", "unknown", "count", "missing", "note", "version", "columns", "missing_tokens", "decimal_comma",
        "imputation", "inferred", "", " ", "A", "B", "\u0000", "\ud800", "NA",
    ];

    private static readonly string[] PipelineTokens = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "1e39", "-1", "NaN", "2147483648", "[[[[", "\"x\":1,"];

    private static readonly ulong[] HeaderLengths =
    [
        0, 1, 2, 7, 8, 9, 99_999_999, 100_000_000, 100_000_001, int.MaxValue, 1UL << 31, 1UL << 32, long.MaxValue, 1UL << 63, ulong.MaxValue,
    ];

    private static readonly float[] Specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, -0f, BitConverter.Int32BitsToSingle(0x7FC0_0001)];

    /// <summary>Tables whose fitted pipelines the last seeds keep: categories with other and missing slots, indicators, tokens, a standardizer or none.</summary>
    private static readonly TableData Loans = Native.Tests.Data.Tables.TableTestData.Read(Native.Tests.Data.Tables.TableTestData.Loans, new TableOptions { MissingTokens = ["NA", "?"], MissingIndicators = true, MaxCategories = 2 });

    private static readonly TableData Prices = Native.Tests.Data.Tables.TableTestData.Read("size;zone;kind;price\n50,5;a;x;100\n;b;y;200,5\n70;a;;150\n", new TableOptions { DecimalComma = true, Imputation = Imputation.Median, Standardize = false, UnknownCategories = UnknownCategories.Error, Labels = CsvLabels.Regression });

    private static readonly (byte[] File, ModelShape Shape)[] Seeds = MakeSeeds();

    /// <summary>The seeds that keep a pipeline: the last four (two float, then the same two in int8).</summary>
    private static readonly int[] PipelineSeeds = [Seeds.Length - 4, Seeds.Length - 3, Seeds.Length - 2, Seeds.Length - 1];

    [Fact]
    public void EveryMutantLoadsOrIsRefusedWithFileFormatException() =>
        Fuzzer.Run("safetensors", output, Mutate, Load, Verify);

    [Fact]
    public void TheSeedsLoad()
    {
        foreach ((byte[] file, ModelShape shape) in Seeds)
        {
            Assert.Equal(shape, ModelFile.Load(new MemoryStream(file), ModelFormat.Safetensors).Shape);
        }
    }

    private static TrainedModel Load(Mutant mutant)
    {
        using Stream stream = mutant.Open();

        // One case in four goes through the typed path, into a model of the seed's shape.
        if (mutant.Tag % 4 == 3)
        {
            IModel model = Create(Seeds[mutant.Tag / 4].Shape);
            return ModelFile.LoadInto(model, stream, ModelFormat.Safetensors, "mutant");
        }

        return ModelFile.Load(stream, ModelFormat.Safetensors, "mutant");
    }

    /// <summary>What any loaded model must be, whatever file it came from: the other readers' fuzz tests hold theirs to it too.</summary>
    internal static void Verify(TrainedModel loaded)
    {
        ReadOnlySpan<float> parameters = loaded.Model.Parameters;
        Assert.Equal(loaded.Shape.ParameterCount, parameters.Length);
        Assert.Equal(-1, parameters.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue));
        Assert.True(loaded.ClassNames.Count == 0 || loaded.ClassNames.Count == loaded.Shape.Classes);
        Assert.True(loaded.Standardizer is null || loaded.Standardizer.Features == loaded.Shape.Features);
        loaded.Model.Forward(new float[loaded.Model.Features], new float[loaded.Model.Outputs]);
        if (loaded.IsQuantized && loaded.Pipeline is null)
        {
            // A quantized model that loads predicts a row at the means without an exception, and a finite one.
            float[] row = loaded.Standardizer is { } standardizer ? standardizer.Means.ToArray() : new float[loaded.Features];
            Assert.True(loaded.Task == ModelTask.Regression ? loaded.TryPredictValue(row, out _) : loaded.TryPredictClass(row, out _));
        }
        if (loaded.Pipeline is FeaturePipeline pipeline)
        {
            // A pipeline that loads encodes any record (every value missing, then every category unseen) into a row of the model's width.
            Assert.Equal(loaded.Model.Features, pipeline.Features);
            TableRow row = loaded.CreateRow();
            float[] features = new float[pipeline.Features];
            pipeline.Transform(row, features);
            for (int c = 0; c < pipeline.Columns.Count; c++)
            {
                if (pipeline.Columns[c].Kind == ColumnKind.Category && pipeline.Columns[c].Unknown == UnknownCategories.Ignore)
                {
                    row.SetCategory(c, "never seen in training");
                }
            }

            pipeline.Transform(row, features);
            Assert.All(features, value => Assert.True(float.IsFinite(value)));
            _ = loaded.Task == ModelTask.Regression ? loaded.TryPredictValue(row, out _) : loaded.TryPredictClass(row, out _);
        }
    }

    private static Mutant Mutate(int index)
    {
        Random random = Fuzzer.CaseRandom(index);
        int seed = random.Next(Seeds.Length);
        byte[] bytes = Seeds[seed].File;
        var steps = new List<string> { $"seed {seed}" };

        // Most cases start with damage that knows the format, then some byte-level damage; a pipeline's seed, often inside the pipeline.
        if (PipelineSeeds.Contains(seed) && random.Next(2) == 0)
        {
            bytes = InsidePipeline(random, bytes, out string step);
            steps.Add(step);
        }
        else if (random.Next(10) < 7)
        {
            bytes = Structured(random, bytes, out string step);
            steps.Add(step);
        }

        for (int rounds = random.Next(10) < 6 ? 0 : 1 + random.Next(3); rounds > 0; rounds--)
        {
            (bytes, string step) = Mutations.Any(random, bytes);
            steps.Add(step);
        }

        bool typed = random.Next(4) == 0;
        return new Mutant(bytes, string.Join("; ", steps), Seekable: random.Next(4) != 0, bytes.Length, Tag: (4 * seed) + (typed ? 3 : 0));
    }

    private static byte[] Structured(Random random, byte[] file, out string step)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        string header = Encoding.UTF8.GetString(file, 8, n).TrimEnd(' ');
        byte[] data = file[(8 + n)..];
        switch (random.Next(8))
        {
            case 0:
                {
                    ulong length = random.Next(3) switch
                    {
                        0 => HeaderLengths[random.Next(HeaderLengths.Length)],
                        1 => (ulong)Math.Max(0, n + random.Next(-9, 10)),
                        _ => (ulong)Math.Max(0, file.Length - 8 + random.Next(-9, 10)),
                    };
                    byte[] copy = [.. file];
                    BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
                    step = $"header length {n} overwritten by {length}";
                    return copy;
                }

            case 1:
            case 2:
                header = Mutations.ReplaceNumber(header, random, out step);
                break;
            case 3:
                {
                    MatchCollection strings = StringLiteral().Matches(header);
                    Match target = strings[random.Next(strings.Count)];
                    string replacement = Strings[random.Next(Strings.Length)];
                    step = $"string {target.Value} at {target.Index} replaced by \"{replacement}\"";
                    header = header[..target.Index] + "\"" + replacement + "\"" + header[(target.Index + target.Length)..];
                    break;
                }

            case 4:
                header = Mutations.InsertToken(header, random, Tokens[random.Next(Tokens.Length)], out step);
                break;
            case 5:
                {
                    MatchCollection entries = TensorEntry().Matches(header);
                    Match entry = entries[random.Next(entries.Count)];
                    bool duplicate = random.Next(2) == 0;
                    step = $"tensor entry {entry.Groups[1].Value} {(duplicate ? "duplicated" : "deleted")}";
                    header = duplicate
                        ? header.Insert(entry.Index, entry.Value + ",")
                        : string.Concat(header.AsSpan(0, entry.Index), header.AsSpan(Math.Min(header.Length, entry.Index + entry.Length + (header[entry.Index + entry.Length] == ',' ? 1 : 0))));
                    break;
                }

            case 6:
                {
                    byte[] copy = [.. file];
                    int at = 8 + n + (4 * random.Next(data.Length / 4));
                    float value = Specials[random.Next(Specials.Length)];
                    BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(at), value);
                    step = $"float at {at} set to {value.ToString(CultureInfo.InvariantCulture)}";
                    return copy;
                }

            default:
                {
                    int change = 4 * random.Next(-3, 4);
                    step = $"data section resized by {change} bytes";
                    data = change < 0 ? data[..Math.Max(0, data.Length + change)] : [.. data, .. new byte[change]];
                    break;
                }
        }

        // The header changed: write it back with a length field that fits it (padded or not).
        byte[] json = Encoding.UTF8.GetBytes(header);
        if (random.Next(2) == 0)
        {
            json = [.. json, .. Enumerable.Repeat((byte)' ', (8 - (json.Length % 8)) % 8)];
        }

        byte[] result = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        data.CopyTo(result, 8 + json.Length);
        return result;
    }

    /// <summary>Damage inside the native.pipeline JSON of a seed that keeps one, the header rewritten around it so it stays valid.</summary>
    private static byte[] InsidePipeline(Random random, byte[] file, out string step)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        JsonNode header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, n))!;
        JsonObject metadata = header["__metadata__"]!.AsObject();
        string pipeline = (string)metadata["native.pipeline"]!;
        switch (random.Next(5))
        {
            case 0:
            case 1:
                pipeline = Mutations.ReplaceNumber(pipeline, random, out step);
                break;
            case 2:
                {
                    MatchCollection strings = StringLiteral().Matches(pipeline);
                    Match target = strings[random.Next(strings.Count)];
                    string replacement = PipelineStrings[random.Next(PipelineStrings.Length)];
                    step = $"pipeline string {target.Value} at {target.Index} replaced by \"{replacement}\"";
                    pipeline = pipeline[..target.Index] + "\"" + replacement + "\"" + pipeline[(target.Index + target.Length)..];
                    break;
                }

            case 3:
                pipeline = Mutations.InsertToken(pipeline, random, PipelineTokens[random.Next(PipelineTokens.Length)], out step);
                break;
            default:
                {
                    JsonArray columns = JsonNode.Parse(pipeline)!["columns"]!.AsArray();
                    int column = random.Next(columns.Count);
                    bool duplicate = random.Next(2) == 0;
                    JsonNode root = JsonNode.Parse(pipeline)!;
                    JsonArray target = root["columns"]!.AsArray();
                    if (duplicate)
                    {
                        target.Insert(column, JsonNode.Parse(target[column]!.ToJsonString()));
                    }
                    else
                    {
                        target.RemoveAt(column);
                    }

                    step = $"pipeline column {column} {(duplicate ? "duplicated" : "deleted")}";
                    pipeline = root.ToJsonString();
                    break;
                }
        }

        metadata["native.pipeline"] = pipeline;
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        json = [.. json, .. Enumerable.Repeat((byte)' ', (8 - (json.Length % 8)) % 8)];
        byte[] data = file[(8 + n)..];
        byte[] result = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        data.CopyTo(result, 8 + json.Length);
        return result;
    }

    private static IModel Create(ModelShape shape) => shape.Kind switch
    {
        ModelKind.LinearRegression => new LinearRegression(shape.Features),
        ModelKind.LogisticRegression => new LogisticRegression(shape.Features),
        ModelKind.SoftmaxRegression => new SoftmaxRegression(shape.Features, shape.Outputs),
        _ => new MultilayerPerceptron(shape),
    };

    private static (byte[] File, ModelShape Shape)[] MakeSeeds()
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
            (new LogisticRegression(Loans.Pipeline.Features), Loans.Metadata),
            (new LinearRegression(Prices.Pipeline.Features), Prices.Metadata),
        ];
        var seeds = models.Select((m, i) =>
        {
            DenseKernelTests.Random(m.Model.Parameters.Length, i).CopyTo(m.Model.Parameters);
            using var stream = new MemoryStream();
            ModelFile.Save(m.Model, stream, ModelFormat.Safetensors, m.Metadata);
            return (stream.ToArray(), m.Model.Shape);
        }).ToList();

        // Quantized (int8) files of the float seeds without a pipeline, calibrated and per row, before the pipeline seeds (the last two).
        for (int i = 0; i < 5; i++)
        {
            var trained = new TrainedModel(models[i].Model, models[i].Metadata);
            TrainedModel quantized = i % 2 == 0 ? trained.Quantize(DenseKernelTests.Random(20 * trained.Features, 100 + i, scale: 2f)) : trained.Quantize();
            using var stream = new MemoryStream();
            ModelFile.Save(quantized, stream, ModelFormat.Safetensors);
            seeds.Insert(seeds.Count - 2, (stream.ToArray(), trained.Shape));
        }

        // The pipeline seeds in int8, calibrated on their tables: format 3 with native.pipeline.
        foreach ((int model, TableData table) in new[] { (5, Loans), (6, Prices) })
        {
            TrainedModel quantized = new TrainedModel(models[model].Model, models[model].Metadata).Quantize(table);
            using var stream = new MemoryStream();
            ModelFile.Save(quantized, stream, ModelFormat.Safetensors);
            seeds.Add((stream.ToArray(), quantized.Shape));
        }

        return [.. seeds];
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex("\"(layers\\.\\d+\\.(?:weight|bias|weight_scale|input_quantization))\":\\{[^}]*\\}")]
    private static partial Regex TensorEntry();
}
