using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>scikit-learn's digits softmax regression (64 × 10, standardized), compiled in from its file.</summary>
[GeneratedModel("models/digits.safetensors")]
public static partial class CompiledDigits;

/// <summary>MNIST's softmax regression (784 × 10, standardized), compiled in from its file.</summary>
[GeneratedModel("models/mnist.safetensors")]
public static partial class CompiledMnist;

/// <summary>MNIST's softmax regression quantized to int8 (calibrated; models/make-int8.sh), compiled in from its file.</summary>
[GeneratedModel("models/mnist-int8.safetensors")]
public static partial class CompiledMnistInt8;

/// <summary>A 784-128-10 ReLU perceptron trained on MNIST, quantized to int8 (calibrated; models/make-int8.sh), compiled in from its file.</summary>
[GeneratedModel("models/mnist-mlp-int8.safetensors")]
public static partial class CompiledMnistNetInt8;
