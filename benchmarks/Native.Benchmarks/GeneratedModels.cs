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

/// <summary>Fisher's iris shape, 4 features × 3 classes, generated: the smallest model, where fixed costs are everything.</summary>
[GeneratedSoftmaxRegression(features: 4, classes: 3)]
public sealed partial class IrisModel;

/// <summary>scikit-learn's digits shape, 8 × 8 pixels × 10 classes, generated.</summary>
[GeneratedSoftmaxRegression(features: 64, classes: 10)]
public sealed partial class SmallDigitModel;

/// <summary>A 64-128-10 ReLU perceptron for scikit-learn's digits, generated.</summary>
[GeneratedMultilayerPerceptron(64, 128, 10, HiddenActivation = Activation.Relu)]
public sealed partial class SmallDigitNet;
