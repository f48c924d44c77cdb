using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Native.Generators;

/// <summary>
/// The typed row's property names: each column's name made a C# identifier in PascalCase (<c>loan_amount</c> →
/// <c>LoanAmount</c>, <c>home ownership</c> → <c>HomeOwnership</c>), distinct from each other and from the members a
/// record struct already has. Deterministic: the same columns give the same names, in file order.
/// </summary>
internal static class RowNames
{
    /// <summary>Names a property cannot take: the row type's own and the members a record struct declares.</summary>
    private static readonly HashSet<string> Reserved = new(System.StringComparer.Ordinal)
    {
        "Row", "Equals", "GetHashCode", "ToString", "GetType", "Deconstruct", "PrintMembers", "MemberwiseClone", "ReferenceEquals", "Finalize",
    };

    /// <summary>
    /// One property name per column of <paramref name="columns"/>, in order. A name with no letter or digit becomes
    /// <c>Column</c> and its position (1-based, counting every column of the table but the label); one starting with a digit
    /// is prefixed with <c>Column</c>; a name already taken gets the first free suffix 2, 3, ….
    /// </summary>
    public static string[] Of(IReadOnlyList<(string Name, int Position)> columns)
    {
        var taken = new HashSet<string>(Reserved, System.StringComparer.Ordinal);
        string[] names = new string[columns.Count];
        for (int i = 0; i < columns.Count; i++)
        {
            string name = Identifier(columns[i].Name) ?? "Column" + columns[i].Position.ToString(CultureInfo.InvariantCulture);
            string unique = name;
            for (int suffix = 2; !taken.Add(unique); suffix++)
            {
                unique = name + suffix.ToString(CultureInfo.InvariantCulture);
            }

            names[i] = unique;
        }

        return names;
    }

    /// <summary>The column name in PascalCase, its letters and digits kept and every other character a word break; null when it has none.</summary>
    internal static string? Identifier(string column)
    {
        var name = new StringBuilder(column.Length);
        bool wordStart = true;
        foreach (char c in column)
        {
            if (!char.IsLetterOrDigit(c))
            {
                wordStart = true;
                continue;
            }

            name.Append(wordStart ? char.ToUpperInvariant(c) : c);
            wordStart = false;
        }

        if (name.Length == 0)
        {
            return null;
        }

        if (char.IsDigit(name[0]))
        {
            name.Insert(0, "Column");
        }

        string identifier = name.ToString();
        return SyntaxFacts.IsValidIdentifier(identifier) && SyntaxFacts.GetKeywordKind(identifier) == SyntaxKind.None ? identifier : null;
    }
}
