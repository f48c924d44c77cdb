namespace Native.Numerics;

/// <summary>
/// Makes the partial class or struct it marks a softmax regression of <see cref="Features"/> features into
/// <see cref="Classes"/> classes, whose members the Native source generator writes: kernels with the shape as
/// literals, the <see cref="IClassifier"/> and <see cref="CompilerServices.IFusedGradientStep"/> implementations, and the
/// constants <c>Features</c>, <c>Classes</c> and <c>ParameterCount</c>.
/// </summary>
/// <remarks>
/// <para>
/// The generated model computes exactly what <see cref="SoftmaxRegression"/> of the same shape computes (within
/// float rounding), has the same <see cref="IPredictor.Shape"/> and parameter layout (W, classes × features
/// row-major, then b), starts with zero parameters, and trains with the same <see cref="Trainer"/>.
/// </para>
/// <code>
/// [GeneratedSoftmaxRegression(features: 784, classes: 10)]
/// public sealed partial class DigitModel;
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class GeneratedSoftmaxRegressionAttribute : Attribute
{
    /// <summary>Marks a softmax regression of <paramref name="features"/> features into <paramref name="classes"/> classes.</summary>
    /// <param name="features">The number of input features, at least 1.</param>
    /// <param name="classes">The number of classes, at least 2.</param>
    public GeneratedSoftmaxRegressionAttribute(int features, int classes)
    {
        Features = features;
        Classes = classes;
    }

    /// <summary>The number of input features.</summary>
    public int Features { get; }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }
}
