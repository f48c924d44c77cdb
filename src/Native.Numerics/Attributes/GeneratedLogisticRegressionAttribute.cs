namespace Native.Numerics;

/// <summary>
/// Makes the partial class or struct it marks a logistic regression of <see cref="Features"/> features, whose
/// members the Native source generator writes: kernels with the shape as literals, the
/// <see cref="IClassifier"/> and <see cref="CompilerServices.IFusedGradientStep"/> implementations, and the constants
/// <c>Features</c>, <c>Classes</c> (2) and <c>ParameterCount</c>.
/// </summary>
/// <remarks>
/// <para>
/// The generated model computes exactly what <see cref="LogisticRegression"/> of the same shape computes
/// (within float rounding), has the same <see cref="IPredictor.Shape"/> and parameter layout (w, then the bias),
/// starts with zero parameters, and trains with the same <see cref="Trainer"/>. Labels are 0 and 1.
/// </para>
/// <code>
/// [GeneratedLogisticRegression(features: 30)]
/// public sealed partial class TumorModel;
/// </code>
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class GeneratedLogisticRegressionAttribute : Attribute
{
    /// <summary>Marks a logistic regression of <paramref name="features"/> features.</summary>
    /// <param name="features">The number of input features, at least 1.</param>
    public GeneratedLogisticRegressionAttribute(int features) => Features = features;

    /// <summary>The number of input features.</summary>
    public int Features { get; }
}
