using Native.Numerics;

namespace PackageConsumer;

// The models whose shapes are known when the program is compiled: the package's source generator writes the rest
// of each type. A model compiled from a trained model file joins them here.

/// <summary>Softmax regression on the four measurements of <see cref="Flowers"/>, three species.</summary>
[GeneratedSoftmaxRegression(features: Flowers.Features, classes: Flowers.Species)]
internal sealed partial class FlowerModel;
