using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Native.Generators.Emitter;
using Native.Generators.Model;

namespace Native.Generators;

// A category column of the typed row compiled into a slot function: the value's exact, ordinal match among the kept
// categories. Where the categories' keys (length; first, middle and last character) are distinct, they are hashed into
// a table without collisions, found here when generating: a value costs its key, one multiplication, one table read and
// one comparison, with no branch that depends on which category it is (a nest of switches mispredicts on varied records).
// Otherwise the slot function is a switch on the length, then on the character that best tells the candidates apart.
public sealed partial class ModelGenerator
{
    /// <summary>Categories of a column beyond which the switch is written instead of a table (the table's search grows with them).</summary>
    private const int MaximumHashedCategories = 1024;

    /// <summary>How many multipliers are tried at each table size before a larger one.</summary>
    private const int MultipliersPerSize = 4096;

    /// <summary>The table sizes tried, as powers of two above the smallest that holds every category at a load of one half or less.</summary>
    private const int ExtraTableBits = 3;

    /// <summary>
    /// A category column's slot function: an exact, ordinal match, as the pipeline's; hashed into a table when the
    /// categories' keys allow one (<see cref="CategoryTable"/>), else a switch.
    /// </summary>
    private static void EmitSlotOf(SourceWriter w, FileModelSpec spec, RowColumnSpec column)
    {
        int kept = column.Categories.Count;
        int other = column.Other ? kept : -1;
        int missing = column.MissingSlot ? kept + (column.Other ? 1 : 0) : -1;
        string unknown = column.Other ? Lit(other) + " (its other slot)" : column.UnknownIsError ? "an error" : "−1 (all zeros)";
        w.Line();
        w.Summary(
            "The slot of <paramref name=\"value\"/> in column <c>" + Doc(column.Name) + "</c>: its category's (an exact, ordinal match),",
            (missing >= 0 ? Lit(missing) : "−1 (all zeros)") + " when missing, and " + unknown + " for any other value.");
        w.Open("private static int SlotOf" + column.Property + "(string? value)");

        // A value that reads as missing never reaches its category (the pipeline checks for missing first).
        List<(string Text, int Slot)> categories = Candidates(spec, column);
        HashTable? table = CategoryTable(categories, kept);
        if (table is { } hashed)
        {
            w.Open("if (value is { Length: > 0 })");
            w.Comment("Its key (length; first, middle and last character) picks the one category it can be from a table without");
            w.Comment("collisions; the key must then match, and for a value of more than three characters the text.");
            w.Line("ulong key = KeyOf(value);");
            w.Line("int slot = " + SlotsName(column) + "[(int)unchecked((key * 0x" + hashed.Multiplier.ToString("X16", CultureInfo.InvariantCulture) + "UL) >> " + Lit(64 - hashed.Bits) + ")];");
            w.Open("if (key == s_keysOf" + column.Property + "[slot] && (value.Length <= 3 || value == s_categoriesOf" + column.Property + "[slot]))");
            w.Line("return slot;");
            w.Close();
            w.Close();
            w.Line();
        }
        else if (categories.Count > 0)
        {
            w.Open("if (value is not null)");
            w.Open("switch (value.Length)");
            foreach (IGrouping<int, (string Text, int Slot)> length in categories.GroupBy(c => c.Text.Length).OrderBy(g => g.Key))
            {
                EmitCase(w, Lit(length.Key), [.. length]);
            }

            w.Close();
            w.Close();
            w.Line();
        }

        string otherwise = column.Other ? Lit(other) : column.UnknownIsError ? "throw UnknownCategory(" + StringLiteral(column.Name) + ", value, " + Lit(kept) + ")" : "-1";
        w.Line(missing >= 0 || column.Other || column.UnknownIsError ? "return IsMissing(value) ? " + Lit(missing) + " : " + otherwise + ";" : "return -1;");
        w.Close();
        if (table is { } data)
        {
            EmitCategoryTable(w, column, data);
        }
    }

    /// <summary>A hashed column's data: its table of slots, each slot's key, each slot's text.</summary>
    private static void EmitCategoryTable(SourceWriter w, RowColumnSpec column, HashTable table)
    {
        // Bytes are read-only data in the assembly; wider values are arrays, created once (a span of them over a literal
        // allocates on every read where the compiler cannot point it at the data).
        int none = column.Categories.Count;
        string summary = "Column <c>" + Doc(column.Name) + "</c>'s table: for each of its " + Lit(table.Slots.Length) + " entries, the slot of the category whose key hashes there, or " + Lit(none) + " (no category).";
        string slots = string.Join(", ", table.Slots.Select(Lit));
        w.Line();
        w.Summary(summary);
        w.Line(none < byte.MaxValue
            ? "private static global::System.ReadOnlySpan<byte> " + SlotsName(column) + " => [" + slots + "];"
            : "private static readonly ushort[] " + SlotsName(column) + " = { " + slots + " };");
        w.Line();
        w.Summary("Column <c>" + Doc(column.Name) + "</c>'s key of each slot's category (see <see cref=\"KeyOf\"/>); 0 after them and for a category that reads as missing, which no value of 1 to 65,535 characters has.");
        w.Line("private static readonly ulong[] s_keysOf" + column.Property + " =");
        w.Line("{");
        ulong[] keys = new ulong[none + 1];
        foreach ((string text, int slot) in table.Categories)
        {
            keys[slot] = KeyOf(text);
        }

        for (int i = 0; i < keys.Length; i += 4)
        {
            w.Line("    " + string.Join(", ", keys.Skip(i).Take(4).Select(k => "0x" + k.ToString("X16", CultureInfo.InvariantCulture) + "UL")) + (i + 4 < keys.Length ? "," : string.Empty));
        }

        w.Line("};");
        string?[] texts = new string?[none + 1];
        foreach ((string text, int slot) in table.Categories)
        {
            texts[slot] = text;
        }

        w.Line();
        w.Summary("Column <c>" + Doc(column.Name) + "</c>'s category of each slot; null after them and for a category that reads as missing.");
        w.Line("private static readonly string?[] s_categoriesOf" + column.Property + " = { " + string.Join(", ", texts.Select(t => t is null ? "null" : StringLiteral(t))) + " };");
    }

    /// <summary>The name of a hashed column's table: a property over read-only data, or a field when its slots are wider than bytes.</summary>
    private static string SlotsName(RowColumnSpec column) => (column.Categories.Count < byte.MaxValue ? "SlotsOf" : "s_slotsOf") + column.Property;

    /// <summary>The helper every hashed slot function shares: a category's key.</summary>
    private static void EmitKeyOf(SourceWriter w)
    {
        w.Line();
        w.Summary(
            "A category's key: its length (the low 16 bits), then its first, middle and last characters — the whole text up to",
            "three characters. <paramref name=\"value\"/> is not empty.");
        w.Line(AggressiveInlining);
        w.Line("private static ulong KeyOf(string value) =>");
        w.Line("    (ushort)value.Length | ((ulong)value[0] << 16) | ((ulong)value[value.Length >> 1] << 32) | ((ulong)value[value.Length - 1] << 48);");
    }

    /// <summary>Whether any category column of <paramref name="spec"/> is hashed (and so needs <c>KeyOf</c>).</summary>
    private static bool HasHashedColumn(FileModelSpec spec) =>
        spec.RowColumns.Any(c => c.IsCategory && CategoryTable(Candidates(spec, c), c.Categories.Count) is not null);

    /// <summary>A column's categories that a value can match: those that do not read as missing, with their slots.</summary>
    private static List<(string Text, int Slot)> Candidates(FileModelSpec spec, RowColumnSpec column)
    {
        var categories = new List<(string Text, int Slot)>();
        for (int s = 0; s < column.Categories.Count; s++)
        {
            if (!IsMissingText(column.Categories[s], spec.MissingTokens))
            {
                categories.Add((column.Categories[s], s));
            }
        }

        return categories;
    }

    /// <summary>
    /// A table without collisions for <paramref name="categories"/>' keys: the smallest power of two at a load of a half or
    /// less, then up to <see cref="ExtraTableBits"/> doublings, each with <see cref="MultipliersPerSize"/> odd multipliers
    /// drawn by SplitMix64 from a fixed seed (so the same file gives the same source); an empty entry holds
    /// <paramref name="none"/>, the column's category count. Null when the keys are not distinct, the categories too many,
    /// or no multiplier separates them.
    /// </summary>
    private static HashTable? CategoryTable(List<(string Text, int Slot)> categories, int none)
    {
        // The table's entries are bytes, or 16-bit values past 254 categories: a column of more is a switch.
        int count = categories.Count;
        if (count == 0 || count > MaximumHashedCategories || none >= ushort.MaxValue)
        {
            return null;
        }

        ulong[] keys = categories.Select(c => KeyOf(c.Text)).ToArray();
        if (keys.Distinct().Count() != count || categories.Any(c => c.Text.Length > ushort.MaxValue))
        {
            return null;
        }

        int smallest = 1;
        while ((1 << smallest) < 2 * count)
        {
            smallest++;
        }

        ulong state = 0x4E61746976654B65UL;
        for (int bits = smallest; bits <= smallest + ExtraTableBits; bits++)
        {
            var used = new bool[1 << bits];
            for (int attempt = 0; attempt < MultipliersPerSize; attempt++)
            {
                ulong multiplier = SplitMix64(ref state) | 1UL;
                System.Array.Clear(used, 0, used.Length);
                bool separated = true;
                foreach (ulong key in keys)
                {
                    int entry = (int)(unchecked(key * multiplier) >> (64 - bits));
                    if (used[entry])
                    {
                        separated = false;
                        break;
                    }

                    used[entry] = true;
                }

                if (separated)
                {
                    int[] slots = Enumerable.Repeat(none, 1 << bits).ToArray();
                    foreach ((string text, int slot) in categories)
                    {
                        slots[(int)(unchecked(KeyOf(text) * multiplier) >> (64 - bits))] = slot;
                    }

                    return new HashTable(bits, multiplier, slots, categories);
                }
            }
        }

        return null;
    }

    /// <summary>The key the generated <c>KeyOf</c> computes, for a text that is not empty.</summary>
    private static ulong KeyOf(string text) =>
        (ushort)text.Length | ((ulong)text[0] << 16) | ((ulong)text[text.Length >> 1] << 32) | ((ulong)text[text.Length - 1] << 48);

    /// <summary>SplitMix64 (Steele, Lea and Flood, 2014): the next of a sequence of well-mixed 64-bit values.</summary>
    private static ulong SplitMix64(ref ulong state)
    {
        unchecked
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>
    /// The case <paramref name="label"/> of a switch for <paramref name="candidates"/>: one comparison for one candidate;
    /// for several (of one length), a switch on the character that best tells them apart, then a case for each part.
    /// </summary>
    private static void EmitCase(SourceWriter w, string label, List<(string Text, int Slot)> candidates)
    {
        if (candidates.Count == 1)
        {
            w.Line("case " + label + " when value == " + StringLiteral(candidates[0].Text) + ": return " + Lit(candidates[0].Slot) + ";");
            return;
        }

        int position = Enumerable.Range(0, candidates[0].Text.Length)
            .OrderByDescending(p => candidates.Select(c => c.Text[p]).Distinct().Count())
            .ThenBy(p => p)
            .First();
        w.Line("case " + label + ":");
        w.Indent();
        w.Open("switch (value[" + Lit(position) + "])");
        foreach (IGrouping<char, (string Text, int Slot)> part in candidates.GroupBy(c => c.Text[position]).OrderBy(g => g.Key))
        {
            EmitCase(w, CharLiteral(part.Key), [.. part]);
        }

        w.Close();
        w.Line();
        w.Line("break;");
        w.Outdent();
    }

    /// <summary>A C# char literal, every character outside printable ASCII escaped.</summary>
    private static string CharLiteral(char c) => c switch
    {
        '\'' => "'\\''",
        '\\' => "'\\\\'",
        _ when c < ' ' || c > '~' => "'\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture) + "'",
        _ => "'" + c + "'",
    };

    /// <summary>A column's hash table: 2^<paramref name="Bits"/> entries, the multiplier, each entry's slot, and the categories it holds.</summary>
    private sealed record HashTable(int Bits, ulong Multiplier, int[] Slots, List<(string Text, int Slot)> Categories);
}
