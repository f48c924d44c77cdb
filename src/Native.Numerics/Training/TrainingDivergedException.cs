namespace Native.Numerics;

/// <summary>
/// Training produced a NaN or infinite loss or parameter, or a mean loss past <see cref="TrainerOptions.DivergenceFactor"/>
/// times its best. The model holds the parameters of the last epoch before (the initial ones if the first epoch diverged).
/// </summary>
public sealed class TrainingDivergedException : ArithmeticException
{
    /// <summary>Creates the exception for <paramref name="epoch"/> at <paramref name="learningRate"/>.</summary>
    public TrainingDivergedException(int epoch, float learningRate, string what)
        : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Training diverged in epoch {epoch} at learning rate {learningRate}: {what}. The parameters of epoch {epoch - 1} were kept; try a smaller learning rate, gradient clipping or standardized features."))
    {
        Epoch = epoch;
        LearningRate = learningRate;
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The epoch (from 1) in which training diverged.</summary>
    public int Epoch { get; }

    /// <summary>The learning rate of that epoch.</summary>
    public float LearningRate { get; }
}
