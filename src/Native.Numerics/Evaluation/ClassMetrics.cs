namespace Native.Numerics;

/// <summary>Precision, recall, F1 and support of one class (see <see cref="ConfusionMatrix"/> for the definitions).</summary>
public sealed class ClassMetrics
{
    internal ClassMetrics(int c, double precision, double recall, double f1Score, int support)
    {
        Class = c;
        Precision = precision;
        Recall = recall;
        F1Score = f1Score;
        Support = support;
    }

    /// <summary>The class.</summary>
    public int Class { get; }

    /// <summary>Of the rows predicted as this class, the share that are; 0 if none were predicted.</summary>
    public double Precision { get; }

    /// <summary>Of the rows of this class, the share predicted so; 0 if the class never occurs.</summary>
    public double Recall { get; }

    /// <summary>The harmonic mean of <see cref="Precision"/> and <see cref="Recall"/>; 0 where both are 0.</summary>
    public double F1Score { get; }

    /// <summary>How many rows are actually of this class.</summary>
    public int Support { get; }
}

/// <summary>Precision, recall and F1 averaged over the classes in one way: macro, micro or weighted.</summary>
public sealed class AveragedMetrics
{
    internal AveragedMetrics(double precision, double recall, double f1Score)
    {
        Precision = precision;
        Recall = recall;
        F1Score = f1Score;
    }

    /// <summary>The averaged precision.</summary>
    public double Precision { get; }

    /// <summary>The averaged recall.</summary>
    public double Recall { get; }

    /// <summary>The averaged F1 score (for the macro and weighted averages, the average of the classes' F1 scores, not the F1 of the averages).</summary>
    public double F1Score { get; }
}
