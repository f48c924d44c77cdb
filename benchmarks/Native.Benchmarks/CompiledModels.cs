using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>scikit-learn's digits softmax regression (64 × 10, standardized), compiled in from its file.</summary>
[GeneratedModel("models/digits.safetensors")]
public static partial class CompiledDigits;

/// <summary>MNIST's softmax regression (784 × 10, standardized), compiled in from its file.</summary>
[GeneratedModel("models/mnist.safetensors")]
public static partial class CompiledMnist;
