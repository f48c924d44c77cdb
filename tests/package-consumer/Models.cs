using Native.Numerics;

namespace PackageConsumer;

// The models known when the program is compiled: the package's source generator writes the rest of each type.

/// <summary>Softmax regression on the four measurements of <see cref="Flowers"/>, three species.</summary>
[GeneratedSoftmaxRegression(features: Flowers.Features, classes: Flowers.Species)]
internal sealed partial class FlowerModel;

/// <summary>
/// The perceptron run.sh trains on models/iris.csv with the installed `native` tool (standardized), compiled in: its
/// weights, standardizer and class names are data in this assembly, and no file is read at run time.
/// </summary>
[GeneratedModel("models/iris.safetensors")]
internal static partial class Iris;
