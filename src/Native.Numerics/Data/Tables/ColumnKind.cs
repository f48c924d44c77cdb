namespace Native.Numerics;

/// <summary>What a column of a table is to a model: a number, a category (text), or nothing.</summary>
public enum ColumnKind
{
    /// <summary>A number: blanks are imputed (<see cref="Imputation"/>), and the value is standardized with the rest.</summary>
    Number,

    /// <summary>A category: each value kept gets a 0/1 feature of its own (one-hot), the rest share an "other" one.</summary>
    Category,

    /// <summary>Not a feature: read past (an identifier, a free-text note, a column the user left out).</summary>
    Ignored,
}

/// <summary>What a blank number becomes.</summary>
public enum Imputation
{
    /// <summary>The mean of the column's values in training (scikit-learn's <c>SimpleImputer</c> default).</summary>
    Mean,

    /// <summary>The median of the column's values in training: the middle value, or the mean of the two middle ones.</summary>
    Median,
}

/// <summary>What a category a column did not keep in training becomes, when the column has no "other" slot to take it.</summary>
public enum UnknownCategories
{
    /// <summary>All the column's features 0, as scikit-learn's <c>OneHotEncoder(handle_unknown="ignore")</c> does.</summary>
    Ignore,

    /// <summary>An error naming the column and the value.</summary>
    Error,
}
