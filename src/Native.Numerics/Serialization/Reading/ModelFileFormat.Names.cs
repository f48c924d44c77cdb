using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Native.Numerics.Serialization;

// The model file format's names: its tensors', its kinds' and activations' in the metadata, and lists of names (features,
// labels) parsed and checked. Compiled into the source generator with the rest of the reading code.
internal static partial class ModelFileFormat
{
    /// <summary>The weights of dense layer <paramref name="layer"/>: shape [outputs, inputs].</summary>
    public static string WeightName(int layer) => Safetensors.Invariant($"layers.{layer}.weight");

    /// <summary>The biases of dense layer <paramref name="layer"/>: shape [outputs].</summary>
    public static string BiasName(int layer) => Safetensors.Invariant($"layers.{layer}.bias");

    /// <summary>A quantized file's scale of each output row of layer <paramref name="layer"/>'s weights: shape [outputs].</summary>
    public static string WeightScaleName(int layer) => Safetensors.Invariant($"layers.{layer}.weight_scale");

    /// <summary>A quantized file's scale and zero point of layer <paramref name="layer"/>'s input bytes: shape [2].</summary>
    public static string InputQuantizationName(int layer) => Safetensors.Invariant($"layers.{layer}.input_quantization");

    // float.IsFinite, which netstandard2.0 (the generator) lacks.
    private static bool IsFinite(float value) => !float.IsNaN(value) && !float.IsInfinity(value);

    /// <summary>Layer sizes for a message, "[784, 128, 10]"; a hostile list of thousands is shortened.</summary>
    private static string SizesText(int[] sizes) =>
        sizes.Length <= 16 ? "[" + string.Join(", ", sizes) + "]" : "[" + string.Join(", ", sizes.Take(16)) + Safetensors.Invariant($", … ({sizes.Length} sizes)]");

    public static string KindName(ModelKind kind) => kind switch
    {
        ModelKind.LinearRegression => "linear_regression",
        ModelKind.LogisticRegression => "logistic_regression",
        ModelKind.SoftmaxRegression => "softmax_regression",
        ModelKind.MultilayerPerceptronRegressor => "multilayer_perceptron_regressor",
        _ => "multilayer_perceptron",
    };

    internal static ModelKind? ParseKind(string text) => text switch
    {
        "linear_regression" => ModelKind.LinearRegression,
        "logistic_regression" => ModelKind.LogisticRegression,
        "softmax_regression" => ModelKind.SoftmaxRegression,
        "multilayer_perceptron" => ModelKind.MultilayerPerceptron,
        "multilayer_perceptron_regressor" => ModelKind.MultilayerPerceptronRegressor,
        _ => null,
    };

    private static string ActivationName(Activation activation) => activation switch
    {
        Activation.Relu => "relu",
        Activation.LeakyRelu => "leaky_relu",
        Activation.Sigmoid => "sigmoid",
        _ => "tanh",
    };

    private static Activation? ParseActivation(string text) => text switch
    {
        "relu" => Activation.Relu,
        "leaky_relu" => Activation.LeakyRelu,
        "sigmoid" => Activation.Sigmoid,
        "tanh" => Activation.Tanh,
        _ => null,
    };

    /// <summary>
    /// The feature names of a <c>native.feature_names</c> entry outside a safetensors header (an ONNX file's): a JSON
    /// array of <paramref name="features"/> distinct strings; null, with <paramref name="problem"/> saying why, if not.
    /// </summary>
    public static string[]? ParseFeatureNames(string text, int features, out string? problem) => ParseNames(text, features, "feature", "features", out problem);

    /// <summary>
    /// Names in an entry outside a safetensors header (an ONNX file's metadata_props): a JSON array of
    /// <paramref name="count"/> distinct strings, each naming a <paramref name="singular"/>; null, with
    /// <paramref name="problem"/> saying why, if not. A count of −1 means the model has no place for such names.
    /// </summary>
    public static string[]? ParseNames(string text, int count, string singular, string plural, out string? problem)
    {
        var names = new List<string>();
        try
        {
            var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 4 });
            if (!json.Read() || json.TokenType != JsonTokenType.StartArray)
            {
                problem = "expected a JSON array of strings";
                return null;
            }

            while (json.Read() && json.TokenType == JsonTokenType.String)
            {
                names.Add(json.GetString()!);
            }

            if (json.TokenType != JsonTokenType.EndArray || json.Read())
            {
                problem = "expected a JSON array of strings and nothing after it";
                return null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            problem = $"not valid JSON: {e.Message}";
            return null;
        }

        problem = count < 0 ? Safetensors.Invariant($"it names {names.Count} {plural}, but the model has one at most")
            : names.Count != count ? Safetensors.Invariant($"it names {names.Count} {plural}, but the model takes {count}")
            : names.Distinct(StringComparer.Ordinal).Count() != names.Count ? $"it names a {singular} twice; {singular} names must be distinct"
            : null;
        return problem is null ? [.. names] : null;
    }
}
