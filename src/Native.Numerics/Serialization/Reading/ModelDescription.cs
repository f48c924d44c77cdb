using System.Collections.Generic;

namespace Native.Numerics.Serialization;

/// <summary>
/// A trained model as plain data, independent of any file format and of the library's model classes: what the
/// ONNX reader produces, what <c>ModelFile</c> builds a model from, and what the source generator
/// compiles into a program. Only BCL types and the library's plain enums, so that a netstandard2.0 project can
/// link this file.
/// </summary>
/// <remarks>
/// The description is consistent when it is made: <see cref="LayerSizes"/> has at least 2 entries, each layer
/// l has <see cref="Weights"/>[l] of sizes[l + 1] × sizes[l] floats (outputs × inputs, row-major) and
/// <see cref="Biases"/>[l] of sizes[l + 1], all finite; the kind's rules hold (a regression has 1 output, a
/// softmax regression or perceptron at least 2 classes, one activation per hidden layer); the standardizer,
/// when present, has one finite mean and one positive, finite deviation per feature; class names, when
/// present, are one per class and distinct.
/// </remarks>
internal sealed class ModelDescription
{
    public ModelDescription(
        ModelKind kind,
        int[] layerSizes,
        Activation[] hiddenActivations,
        float leakyReluSlope,
        float[][] weights,
        float[][] biases,
        float[]? means,
        float[]? deviations,
        string[] classNames,
        List<KeyValuePair<string, string>> properties,
        string producer)
    {
        Kind = kind;
        LayerSizes = layerSizes;
        HiddenActivations = hiddenActivations;
        LeakyReluSlope = leakyReluSlope;
        Weights = weights;
        Biases = biases;
        Means = means;
        Deviations = deviations;
        ClassNames = classNames;
        Properties = properties;
        Producer = producer;
    }

    /// <summary>The feature pipeline before the model (an ONNX file Native wrote with one), or null.</summary>
    public PipelineDescription? Pipeline { get; set; }

    /// <summary>
    /// For a quantized (int8) model, each dense layer's integers, bottom to top; null for float weights. <see cref="Weights"/>
    /// then holds what the bytes stand for: each weight its byte times its row's scale.
    /// </summary>
    public QuantizedLayerDescription[]? Quantization { get; set; }

    /// <summary>The kind of model.</summary>
    public ModelKind Kind { get; }

    /// <summary>The features, each hidden layer's width, the outputs: [784, 128, 10].</summary>
    public int[] LayerSizes { get; }

    /// <summary>One activation per hidden layer; empty for the regressions.</summary>
    public Activation[] HiddenActivations { get; }

    /// <summary>The slope of <see cref="Activation.LeakyRelu"/> for negative inputs: 0 for the regressions, 0.01 for a perceptron that has no leaky ReLU.</summary>
    public float LeakyReluSlope { get; }

    /// <summary>Each dense layer's weights, outputs × inputs, row-major.</summary>
    public float[][] Weights { get; }

    /// <summary>Each dense layer's biases, one per output.</summary>
    public float[][] Biases { get; }

    /// <summary>The standardizer's means, one per feature, or null for none: inputs become (x − mean) / deviation.</summary>
    public float[]? Means { get; }

    /// <summary>The standardizer's deviations (the divisors), one per feature, or null for none.</summary>
    public float[]? Deviations { get; }

    /// <summary>The name of each class in label order, or empty.</summary>
    public string[] ClassNames { get; }

    /// <summary>Free-form string properties (ONNX <c>metadata_props</c>), in file order.</summary>
    public List<KeyValuePair<string, string>> Properties { get; }

    /// <summary>Who wrote the file and which version, "pytorch 1.13.0"; empty if the file does not say.</summary>
    public string Producer { get; }
}
