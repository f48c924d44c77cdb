using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>MNIST's softmax regression, with kernels generated for its shape.</summary>
[GeneratedSoftmaxRegression(features: 784, classes: 10)]
internal sealed partial class Softmax784x10;

/// <summary>A 30-feature logistic regression (the breast-cancer data's shape), with generated kernels.</summary>
[GeneratedLogisticRegression(features: 30)]
internal sealed partial class Logistic30;

/// <summary>MNIST's 784-128-10 ReLU perceptron, with generated kernels.</summary>
[GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)]
internal sealed partial class Perceptron784x128x10;
