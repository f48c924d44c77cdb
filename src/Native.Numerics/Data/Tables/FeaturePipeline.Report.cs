using System.Globalization;
using System.Text;

namespace Native.Numerics;

// What the pipeline does, for people: a table of its columns.
public sealed partial class FeaturePipeline
{
    /// <summary>
    /// What the pipeline does, as a table a person reads: per column its kind (and whether it was inferred or told), the
    /// values and blanks training saw, and what is done with them — the fill of blanks, the categories kept, what an unseen
    /// category becomes, and any note (an identifier left out, a likely missing token). Control characters in names and
    /// values are escaped.
    /// </summary>
    public string Describe()
    {
        string[][] cells = new string[_columns.Length + 1][];
        cells[0] = ["column", "kind", "values", "missing", "features", "what is done"];
        for (int c = 0; c < _columns.Length; c++)
        {
            PipelineColumn column = _columns[c];
            string kind = column.Kind.ToString().ToLowerInvariant() + (column.KindInferred ? "" : " (told)");
            cells[c + 1] =
            [
                Printable(column.Name, 40),
                kind,
                column.Count.ToString("N0", CultureInfo.InvariantCulture),
                column.Missing.ToString("N0", CultureInfo.InvariantCulture),
                column.Width.ToString(CultureInfo.InvariantCulture),
                WhatIsDone(column),
            ];
        }

        int[] widths = new int[cells[0].Length];
        foreach (string[] row in cells)
        {
            for (int k = 0; k < row.Length - 1; k++)
            {
                widths[k] = Math.Max(widths[k], row[k].Length);
            }
        }

        var text = new StringBuilder();
        foreach (string[] row in cells)
        {
            for (int k = 0; k < row.Length; k++)
            {
                bool number = k is 2 or 3 or 4;
                string cell = k == row.Length - 1 ? row[k] : number ? row[k].PadLeft(widths[k]) : row[k].PadRight(widths[k]);
                text.Append(cell).Append(k == row.Length - 1 ? "" : "  ");
            }

            text.Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"{Features} features");
        if (Standardizer is not null)
        {
            text.Append("; numbers standardized (mean 0, deviation 1), 0/1 features as they are");
        }

        if (_missingTokens.Length > 0)
        {
            text.Append("; missing: blank, ").Append(string.Join(", ", _missingTokens.Select(token => Printable(token, 20))));
        }

        if (DecimalComma)
        {
            text.Append("; decimal comma");
        }

        if (ThousandsSeparator is char thousands)
        {
            text.Append("; thousands separated by ").Append(Csv.Quote([thousands]));
        }

        return text.Append('.').ToString();
    }

    /// <summary>What the pipeline does with one column, in words.</summary>
    private string WhatIsDone(PipelineColumn column)
    {
        var parts = new List<string>();
        switch (column.Kind)
        {
            case ColumnKind.Number:
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"missing → {Imputation.ToString().ToLowerInvariant()} {column.Fill:G6}"));
                if (column.HasIndicator)
                {
                    parts.Add("+ a missing indicator");
                }

                break;
            case ColumnKind.Category:
                string values = string.Join(", ", column.CategoryArray.Take(4).Select(value => Printable(value, 16)));
                values += column.Categories.Count > 4 ? ", …" : "";
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{column.Categories.Count} kept ({values})"));
                if (column.HasOther)
                {
                    parts.Add("the rest and unseen → other");
                }
                else
                {
                    parts.Add(column.Unknown == UnknownCategories.Ignore ? "unseen → all 0" : "unseen → error");
                }

                if (column.HasMissingSlot)
                {
                    parts.Add("missing → its own");
                }

                break;
            default:
                if (column.Note is null)
                {
                    parts.Add("ignored");
                }

                break;
        }

        if (column.Note is not null)
        {
            parts.Add(column.Note);
        }

        return string.Join("; ", parts);
    }

    /// <summary>A name or value for a person: control characters escaped, at most <paramref name="limit"/> characters.</summary>
    private static string Printable(string text, int limit)
    {
        var builder = new StringBuilder();
        foreach (char c in text.Length > limit ? text[..limit] : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return text.Length > limit ? builder.Append('…').ToString() : builder.ToString();
    }
}
