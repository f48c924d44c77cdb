using Native.Numerics;

namespace Native.Tests.Generated;

// Generated models at awkward shapes, each tested against its run-time-shaped twin (GeneratedModelTests).
// Feature counts sit around every vector width (1, 3, 15, 16, 17, 64) and at MNIST's 784 and one past it;
// class counts around them too (2, 3, 10, 16, 17) and past four vectors of four (40), where softmax loops.

[GeneratedSoftmaxRegression(features: 1, classes: 2)]
public sealed partial class Softmax1x2;

[GeneratedSoftmaxRegression(features: 3, classes: 3)]
public sealed partial class Softmax3x3;

[GeneratedSoftmaxRegression(features: 15, classes: 10)]
public sealed partial class Softmax15x10;

[GeneratedSoftmaxRegression(features: 16, classes: 16)]
public sealed partial class Softmax16x16;

[GeneratedSoftmaxRegression(features: 17, classes: 17)]
public sealed partial class Softmax17x17;

[GeneratedSoftmaxRegression(features: 64, classes: 2)]
public sealed partial class Softmax64x2;

[GeneratedSoftmaxRegression(features: 784, classes: 10)]
public sealed partial class Softmax784x10;

[GeneratedSoftmaxRegression(features: 785, classes: 17)]
public sealed partial class Softmax785x17;

[GeneratedSoftmaxRegression(features: 33, classes: 40)]
public sealed partial class Softmax33x40;

/// <summary>A model may be a struct: its parameters live in a buffer it references, so copies share them.</summary>
[GeneratedSoftmaxRegression(features: 9, classes: 3)]
public partial struct SoftmaxStruct9x3;

[GeneratedLogisticRegression(features: 1)]
public sealed partial class Logistic1;

[GeneratedLogisticRegression(features: 3)]
public sealed partial class Logistic3;

[GeneratedLogisticRegression(features: 16)]
public sealed partial class Logistic16;

[GeneratedLogisticRegression(features: 30)]
public sealed partial class Logistic30;

[GeneratedLogisticRegression(features: 785)]
public sealed partial class Logistic785;

[GeneratedLinearRegression(features: 1)]
public sealed partial class Linear1;

[GeneratedLinearRegression(features: 10)]
public sealed partial class Linear10;

[GeneratedLinearRegression(features: 15)]
public sealed partial class Linear15;

[GeneratedLinearRegression(features: 64)]
public sealed partial class Linear64;

[GeneratedLinearRegression(features: 784)]
public sealed partial class Linear784;

[GeneratedMultilayerPerceptron(3, 5, 2)]
public sealed partial class Perceptron3x5x2;

[GeneratedMultilayerPerceptron(17, 20, 9, 3, HiddenActivation = Activation.Relu)]
public sealed partial class PerceptronRelu17x20x9x3;

[GeneratedMultilayerPerceptron(15, 33, 8, 10, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 0.05f)]
public sealed partial class PerceptronLeaky15x33x8x10;

[GeneratedMultilayerPerceptron(16, 17, 16, 17, HiddenActivation = Activation.Sigmoid)]
public sealed partial class PerceptronSigmoid16x17x16x17;

[GeneratedMultilayerPerceptron(64, 13, 1, 2, HiddenActivation = Activation.Tanh)]
public sealed partial class PerceptronTanh64x13x1x2;

[GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)]
public sealed partial class Perceptron784x128x10;

/// <summary>Models nested in other types, which must be partial too.</summary>
public static partial class Nesting
{
    [GeneratedLogisticRegression(features: 17)]
    public sealed partial class NestedLogistic17;

    public partial struct Inner
    {
        [GeneratedMultilayerPerceptron(5, 7, 3, HiddenActivation = Activation.Tanh)]
        internal partial struct NestedPerceptron5x7x3;
    }
}
