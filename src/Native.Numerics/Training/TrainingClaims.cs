using System.Runtime.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// Which models and optimizers a training session holds: a second session on either, while the first runs, is refused.
/// </summary>
/// <remarks>
/// Two sessions stepping one model's parameters (or one optimizer's state) from two threads would race: each step reads
/// what the other half-wrote, and the result is neither run's, silently. The claim is kept per object, not per
/// <see cref="Trainer"/>, because two trainers can share a model; and in a weak table, so the library needs no field in a
/// model a user wrote and a claimed model can still be collected. Taken once when a session starts and released when it
/// is disposed: nothing per epoch.
/// </remarks>
internal static class TrainingClaims
{
    private static readonly ConditionalWeakTable<object, object> Claimed = new();
    private static readonly object Held = new();

    /// <summary>Claims <paramref name="model"/> and <paramref name="optimizer"/> for one session.</summary>
    /// <exception cref="InvalidOperationException">Another session holds either one.</exception>
    public static void Take(IModel model, Optimizer optimizer)
    {
        if (!Claimed.TryAdd(model, Held))
        {
            throw new InvalidOperationException($"The model {Describe(model)} is already being trained (by another Fit, or a TrainingSession not yet disposed); two trainings of one model at once would mix their steps. Train a copy, or wait for the first to end.");
        }

        if (!ReferenceEquals(optimizer, model) && !Claimed.TryAdd(optimizer, Held))
        {
            Claimed.Remove(model);
            throw new InvalidOperationException($"The optimizer {optimizer.GetType().Name} is already training another model (by another Fit, or a TrainingSession not yet disposed); an optimizer's state belongs to one training at a time. Give each training its own optimizer.");
        }
    }

    /// <summary>Releases what <see cref="Take"/> claimed.</summary>
    public static void Release(IModel model, Optimizer optimizer)
    {
        Claimed.Remove(optimizer);
        Claimed.Remove(model);
    }

    private static string Describe(IModel model) => $"{model.GetType().Name} ({model.Shape})";
}
