namespace Native.Generators.Model;

/// <summary>
/// One column of a model file's feature pipeline as the typed row compiles it: the property it becomes and how its
/// value is encoded. Plain values, so a spec holding it compares equal when the file has not changed.
/// </summary>
/// <param name="Name">The column's name in the table's header.</param>
/// <param name="Property">The row's property: the name made a C# identifier, distinct from the others.</param>
/// <param name="IsCategory">A category (a <c>string?</c> property, one-hot) rather than a number (<c>float?</c>, imputed).</param>
/// <param name="Offset">Where its features start in the model's row.</param>
/// <param name="Fill">A number's imputed value.</param>
/// <param name="Indicator">Whether a number writes a missing indicator after its value.</param>
/// <param name="Categories">A category's kept values, in slot order.</param>
/// <param name="Other">Whether a category has an other slot (after the kept values).</param>
/// <param name="MissingSlot">Whether a category has a slot for missing values (last).</param>
/// <param name="UnknownIsError">Whether a value not kept, with no other slot, is an error (else all zeros).</param>
internal readonly record struct RowColumnSpec(
    string Name,
    string Property,
    bool IsCategory,
    int Offset,
    float Fill,
    bool Indicator,
    EquatableArray<string> Categories,
    bool Other,
    bool MissingSlot,
    bool UnknownIsError)
{
    /// <summary>The features the column writes.</summary>
    public int Width => IsCategory ? Categories.Count + (Other ? 1 : 0) + (MissingSlot ? 1 : 0) : Indicator ? 2 : 1;
}
