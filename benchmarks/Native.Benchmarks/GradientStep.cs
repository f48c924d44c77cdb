using System.Numerics.Tensors;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// The trainer's step for a model without a fused one, as the kernel benchmarks time it for the run-time-shaped
/// models: the batch's summed gradient into a buffer, scaled to the mean, then the optimizer's step.
/// </summary>
internal static class GradientStep
{
    public static void Run(IModel model, in Batch batch, float[] gradient, Optimizer optimizer)
    {
        Array.Clear(gradient);
        model.AccumulateGradient(in batch, gradient);
        TensorPrimitives.Multiply(gradient, 1f / batch.Count, gradient);
        optimizer.Step(model.Parameters, gradient);
    }
}
