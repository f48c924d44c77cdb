using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Native.Numerics;

namespace Native.Tests.Onnx;

/// <summary>
/// One fixture of <c>Onnx/Fixtures</c>: an ONNX file from PyTorch's exporter or from the scikit-learn script,
/// its inputs, the exporter's own outputs, and what Native must read (or the refusal it must give). The script
/// beside the files (make_fixtures.py) says how each was made.
/// </summary>
internal sealed class OnnxFixture
{
    private static readonly string Directory = System.IO.Path.Combine(AppContext.BaseDirectory, "Onnx", "Fixtures");

    private OnnxFixture(string name, JsonElement json)
    {
        Name = name;
        Exporter = json.GetProperty("exporter").GetString()!;
        Inputs = Rows(json.GetProperty("inputs"));
        InputShape = [.. json.GetProperty("input_shape").EnumerateArray().Select(d => d.GetInt64())];
        Output = json.GetProperty("output").GetString()!;
        Expected = Rows(json.GetProperty("expected"));
        Transform = json.GetProperty("transform").GetString()!;
        Kind = json.TryGetProperty("kind", out JsonElement kind) ? Enum.Parse<ModelKind>(kind.GetString()!) : null;
        Layers = json.TryGetProperty("layers", out JsonElement layers) ? [.. layers.EnumerateArray().Select(l => l.GetInt32())] : [];
        Activations = json.TryGetProperty("activations", out JsonElement activations) ? [.. activations.EnumerateArray().Select(a => Enum.Parse<Activation>(a.GetString()!))] : [];
        Classes = json.TryGetProperty("classes", out JsonElement classes) ? [.. classes.EnumerateArray().Select(c => c.GetString()!)] : [];
        Standardized = json.TryGetProperty("standardized", out JsonElement standardized) && standardized.GetBoolean();
        Error = json.TryGetProperty("error", out JsonElement error) ? error.GetString() : null;
    }

    public string Name { get; }

    public string Path => System.IO.Path.Combine(Directory, Name + ".onnx");

    public string Exporter { get; }

    public float[][] Inputs { get; }

    public long[] InputShape { get; }

    public string Output { get; }

    public float[][] Expected { get; }

    public string Transform { get; }

    public ModelKind? Kind { get; }

    public int[] Layers { get; }

    public Activation[] Activations { get; }

    public string[] Classes { get; }

    public bool Standardized { get; }

    /// <summary>For a graph Native refuses: a piece of the message.</summary>
    public string? Error { get; }

    public static IEnumerable<string> Names(bool refused) =>
        System.IO.Directory.EnumerateFiles(Directory, "*.json")
            .Select(file => System.IO.Path.GetFileNameWithoutExtension(file))
            .Where(name => Load(name).Error is not null == refused)
            .Order(StringComparer.Ordinal);

    public static OnnxFixture Load(string name)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(Directory, name + ".json")));
        return new OnnxFixture(name, document.RootElement.Clone());
    }

    /// <summary>
    /// The exporter's output for row <paramref name="row"/> as Native's <see cref="IModel.Forward"/> gives it: the
    /// softmax of logits, the exponential of log-probabilities, P(class 1) of [1 − p, p], [1 − p, p] of p.
    /// </summary>
    public float[] AsNative(float[] output) => Transform switch
    {
        "same" => output,
        "softmax" => Softmax(output),
        "exp" => [.. output.Select(v => (float)Math.Exp(v))],
        "column1" => [output[^1]],
        "binary" => [1f - output[0], output[0]],
        _ => throw new InvalidOperationException($"Unknown transform '{Transform}' in fixture {Name}."),
    };

    /// <summary>Runs the fixture's inputs through ONNX Runtime (one thread) and returns its output rows.</summary>
    public float[][] RunOnnxRuntime() => OnnxRuntime.Run(Path, Inputs, InputShape, Output);

    private static float[] Softmax(float[] logits)
    {
        double max = logits.Max();
        double[] e = [.. logits.Select(v => Math.Exp(v - max))];
        double sum = e.Sum();
        return [.. e.Select(v => (float)(v / sum))];
    }

    private static float[][] Rows(JsonElement rows) =>
        [.. rows.EnumerateArray().Select(row => row.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray())];
}

/// <summary>ONNX Runtime, the independent judge: runs a file on rows, one intra-op thread.</summary>
internal static class OnnxRuntime
{
    public static float[][] Run(string path, float[][] rows, long[] rowShape, string output)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        return Run(session, rows, rowShape, output);
    }

    public static float[][] Run(byte[] model, float[][] rows, long[] rowShape, string output)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        return Run(session, rows, rowShape, output);
    }

    /// <summary>The string or int64 label output of <paramref name="model"/> for <paramref name="rows"/>, as text.</summary>
    public static string[] Labels(byte[] model, float[][] rows)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using OrtValue input = Input(rows, [rows[0].Length]);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, [session.InputNames[0]], [input], ["label"]);
        OrtValue labels = results[0];
        return labels.GetTensorTypeAndShape().ElementDataType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String
            ? [.. labels.GetStringTensorAsArray()]
            : [.. labels.GetTensorDataAsSpan<long>().ToArray().Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static float[][] Run(InferenceSession session, float[][] rows, long[] rowShape, string output)
    {
        using OrtValue input = Input(rows, rowShape);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, [session.InputNames[0]], [input], [output]);
        float[] values = results[0].GetTensorDataAsSpan<float>().ToArray();
        int width = values.Length / rows.Length;
        return [.. Enumerable.Range(0, rows.Length).Select(i => values[(i * width)..((i + 1) * width)])];
    }

    private static OrtValue Input(float[][] rows, long[] rowShape) =>
        OrtValue.CreateTensorValueFromMemory(rows.SelectMany(r => r).ToArray(), [rows.Length, .. rowShape]);
}
