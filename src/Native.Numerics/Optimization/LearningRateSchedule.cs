namespace Native.Numerics;

/// <summary>
/// How the learning rate changes from epoch to epoch: constant, in steps, exponentially, or along a
/// cosine. The trainer sets the optimizer's rate from the schedule at the start of each epoch.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The rate never changes.</summary>
    public static LearningRateSchedule Constant { get; } = new ConstantSchedule();

    /// <summary>The rate for epoch <paramref name="epoch"/> (counted from 0), given the initial rate.</summary>
    public abstract float LearningRate(int epoch, float initialRate);

    /// <summary>The rate is multiplied by <paramref name="factor"/> every <paramref name="epochs"/> epochs.</summary>
    public static LearningRateSchedule Step(int epochs, float factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        CheckFactor(factor, nameof(factor));
        return new StepSchedule(epochs, factor);
    }

    /// <summary>The rate is multiplied by <paramref name="gamma"/> every epoch: η₀·γᵉ.</summary>
    public static LearningRateSchedule Exponential(float gamma)
    {
        CheckFactor(gamma, nameof(gamma));
        return new ExponentialSchedule(gamma);
    }

    /// <summary>
    /// Cosine annealing (Loshchilov and Hutter): from the initial rate at epoch 0 down to
    /// <paramref name="minimumRate"/> at epoch <paramref name="epochs"/>, along half a cosine:
    /// η = ηmin + (η₀ − ηmin)(1 + cos(π·e / E)) / 2; it stays at the minimum after.
    /// </summary>
    public static LearningRateSchedule Cosine(int epochs, float minimumRate = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, 1);
        if (!(minimumRate >= 0f) || float.IsPositiveInfinity(minimumRate))
        {
            throw new ArgumentOutOfRangeException(nameof(minimumRate), minimumRate, "The minimum rate must be finite and not negative.");
        }

        return new CosineSchedule(epochs, minimumRate);
    }

    private static void CheckFactor(float factor, string name)
    {
        if (!(factor > 0f && factor <= 1f))
        {
            throw new ArgumentOutOfRangeException(name, factor, $"{name} must be in (0, 1].");
        }
    }

    private sealed class ConstantSchedule : LearningRateSchedule
    {
        public override float LearningRate(int epoch, float initialRate) => initialRate;

        public override string ToString() => "constant";
    }

    private sealed class StepSchedule(int epochs, float factor) : LearningRateSchedule
    {
        public override float LearningRate(int epoch, float initialRate) =>
            (float)(initialRate * Math.Pow(factor, epoch / epochs));

        public override string ToString() => $"step({epochs}, {factor})";
    }

    private sealed class ExponentialSchedule(float gamma) : LearningRateSchedule
    {
        public override float LearningRate(int epoch, float initialRate) =>
            (float)(initialRate * Math.Pow(gamma, epoch));

        public override string ToString() => $"exponential({gamma})";
    }

    private sealed class CosineSchedule(int epochs, float minimumRate) : LearningRateSchedule
    {
        public override float LearningRate(int epoch, float initialRate)
        {
            double progress = Math.Min(epoch, epochs) / (double)epochs;
            return (float)(minimumRate + ((initialRate - minimumRate) * (1 + Math.Cos(Math.PI * progress)) / 2));
        }

        public override string ToString() => $"cosine({epochs}, {minimumRate})";
    }
}
