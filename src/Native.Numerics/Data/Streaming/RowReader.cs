namespace Native.Numerics;

/// <summary>
/// Rows read once, from the first to the last, a batch at a time: what a <see cref="RowSource"/>'s first pass reads from a
/// file (<see cref="Csv.OpenRows(string, CsvOptions?)"/>, the Parquet package's reader), and how a row source's own rows are
/// read back in order (<see cref="RowSource.ReadRows"/>).
/// </summary>
/// <remarks>
/// <para>
/// A row's label is given as an id: for classes, a number for each distinct label, from 0 in the order they first appear;
/// what each id stands for — its class, or the target value of a label that turned out to be a number — is known only
/// after the last row, from <see cref="Finish"/>, when every label has been seen (classes are numbered in sorted order, as
/// <see cref="Csv.Read(string, CsvOptions?)"/> numbers them). A reader of regression targets gives each row's target instead.
/// </para>
/// <para>
/// A reader written outside this library (another format) derives from this class: it states its
/// <see cref="Features"/>, <see cref="Labels"/>, <see cref="Files"/> and <see cref="Description"/> when it is opened, and
/// reads rows with <see cref="Read"/>.
/// </para>
/// </remarks>
public abstract class RowReader : IDisposable
{
    /// <summary>The number of features in each row.</summary>
    public abstract int Features { get; }

    /// <summary>Whether <see cref="Read"/> gives label ids (classes, or labels whose kind is decided at the end) or regression targets.</summary>
    public abstract RowLabelKind Labels { get; }

    /// <summary>The name of each feature (a header's), or empty.</summary>
    public virtual IReadOnlyList<string> FeatureNames => [];

    /// <summary>The label column's name, or null.</summary>
    public virtual string? LabelName => null;

    /// <summary>
    /// The files the rows come from, in order: a row cache made from them is stale once one of them changes size or
    /// modification time. Empty for rows that come from no file.
    /// </summary>
    public virtual IReadOnlyList<string> Files => [];

    /// <summary>
    /// What is read and how, in a line — the format and every option that changes the rows or labels read (the label
    /// column, the kind of labels, the feature columns): a row cache made with another description is stale.
    /// </summary>
    public abstract string Description { get; }

    /// <summary>
    /// Reads up to <paramref name="count"/> rows: row i's features into <paramref name="rows"/>[i × <paramref name="stride"/>..],
    /// its label id into <paramref name="labelIds"/>[i] (<see cref="RowLabelKind.Ids"/>) or its target into
    /// <paramref name="targets"/>[i] (<see cref="RowLabelKind.Targets"/>). The floats between a row's features and the next
    /// row are left as they are. Every feature and target is finite.
    /// </summary>
    /// <returns>The rows read: fewer than <paramref name="count"/> only at the end (0 there).</returns>
    /// <exception cref="FileFormatException">The input is not valid; the message says where.</exception>
    public abstract int Read(Span<float> rows, int stride, int count, Span<int> labelIds, Span<float> targets);

    /// <summary>What the label ids stand for, once the last row has been read; for <see cref="RowLabelKind.Targets"/>, <see cref="RowLabels.Targets"/>.</summary>
    /// <exception cref="FileFormatException">The labels cannot train a model (one class only, say).</exception>
    public abstract RowLabels Finish();

    /// <summary>Closes the input.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the input (<paramref name="disposing"/>: called from <see cref="Dispose()"/>).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>What a <see cref="RowReader"/> gives for each row's label.</summary>
public enum RowLabelKind
{
    /// <summary>An id per distinct label, from 0 in order of first appearance; <see cref="RowReader.Finish"/> says what each stands for.</summary>
    Ids,

    /// <summary>The regression target itself.</summary>
    Targets,
}

/// <summary>What the label ids of a <see cref="RowReader"/> stand for: classes (each id's class, and the classes' names), or regression targets (each id's value).</summary>
public sealed class RowLabels
{
    private readonly int[]? _classOf;
    private readonly float[]? _valueOf;
    private readonly string[] _classNames;

    private RowLabels(int[]? classOf, string[] classNames, float[]? valueOf, int classes = -1)
    {
        _classOf = classOf;
        _classNames = classNames;
        _valueOf = valueOf;
        Classes = classes >= 0 ? classes : classNames.Length;
    }

    /// <summary>Targets given per row (<see cref="RowLabelKind.Targets"/>): nothing to map.</summary>
    public static RowLabels Targets { get; } = new(null, [], null);

    /// <summary>Whether the labels are classes.</summary>
    public bool AreClasses => _classOf is not null;

    /// <summary>The number of classes (0 for targets).</summary>
    public int Classes { get; }

    /// <summary>The class names, in class order (empty for targets, and for classes the data did not name).</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Each label id's class (empty for targets).</summary>
    public ReadOnlySpan<int> ClassOfId => _classOf;

    /// <summary>Each label id's target value, for labels that were ids until they all proved to be numbers (else empty).</summary>
    public ReadOnlySpan<float> ValueOfId => _valueOf;

    /// <summary>
    /// Classes: <paramref name="classOfId"/> gives each label id's class, from 0 to <paramref name="classNames"/>.Count − 1,
    /// and every class is some id's.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 classes, a class out of range, or an empty name.</exception>
    public static RowLabels FromClasses(ReadOnlySpan<int> classOfId, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count < 2)
        {
            throw new ArgumentException($"Classification needs at least 2 classes; got {classNames.Count}.", nameof(classNames));
        }

        foreach (int c in classOfId)
        {
            if ((uint)c >= (uint)classNames.Count)
            {
                throw new ArgumentException($"A label id's class is {c}, outside the {classNames.Count} classes.", nameof(classOfId));
            }
        }

        for (int c = 0; c < classNames.Count; c++)
        {
            if (string.IsNullOrEmpty(classNames[c]))
            {
                throw new ArgumentException($"Class {c} has no name.", nameof(classNames));
            }
        }

        return new RowLabels(classOfId.ToArray(), [.. classNames], null);
    }

    /// <summary>Classes that are their own ids, 0 to <paramref name="classes"/> − 1, unnamed (a dataset's labels without class names).</summary>
    internal static RowLabels Unnamed(int classes) => new([.. Enumerable.Range(0, classes)], [], null, classes);

    /// <summary>Regression targets for label ids: <paramref name="valueOfId"/> gives each id's value (finite).</summary>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static RowLabels FromValues(ReadOnlySpan<float> valueOfId)
    {
        int bad = valueOfId.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw new ArgumentException($"The value of label id {bad} is {valueOfId[bad]}; targets must be finite.", nameof(valueOfId));
        }

        return new RowLabels(null, [], valueOfId.ToArray());
    }
}
