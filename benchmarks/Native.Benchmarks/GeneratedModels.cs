using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>MNIST's softmax regression, generated.</summary>
[GeneratedSoftmaxRegression(features: 784, classes: 10)]
public sealed partial class DigitModel;

/// <summary>A 30-feature logistic regression (the breast-cancer data's shape), generated.</summary>
[GeneratedLogisticRegression(features: 30)]
public sealed partial class TumorModel;

/// <summary>MNIST's 784-128-10 ReLU perceptron, generated.</summary>
[GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)]
public sealed partial class DigitNet;
