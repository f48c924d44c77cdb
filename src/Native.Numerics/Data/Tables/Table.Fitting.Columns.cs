using System.Globalization;

namespace Native.Numerics;

// Fitting a pipeline to a table: each column fitted once its kind is decided — ignored, a number (its fill), a category
// (the values kept) — and the notes that say why.
public static partial class Table
{
    private sealed partial class Fitting
    {
        /// <summary>What a text column whose values are all numbers written with a decimal comma is told.</summary>
        private const string DecimalCommaHint = "every value is a number written with a decimal comma: --decimal-comma (TableOptions.DecimalComma) reads them as numbers";

        /// <summary>
        /// Whether a column read as text holds numbers written with a decimal comma, every one ("3,14"; "12" too), in a file
        /// whose delimiter is not a comma and that was not told to read decimal commas: a European export read without
        /// --decimal-comma, whose number columns would otherwise become categories or be ignored with nothing said of why.
        /// Checked once, after the reading, on the column's distinct values: <paramref name="texts"/> when the caller has them,
        /// else <see cref="ColumnReading.Texts"/>, made only when the file could hold such a column.
        /// </summary>
        private bool DecimalCommas(ColumnReading reading, string[]? texts = null)
        {
            if (options.DecimalComma || records.Separator == ',' || reading.Overflowed || reading.Others > 0)
            {
                return false;
            }

            bool comma = false;
            foreach (string text in texts ?? reading.Texts())
            {
                if (!CsvNumber.TryParseDecimalComma(text, out float value) || !float.IsFinite(value))
                {
                    return false;
                }

                comma |= text.Contains(',', StringComparison.Ordinal);
            }

            return comma;
        }

        /// <summary>
        /// What a column read as text is told when its values are all numbers and some hold thousands separators ("1,037.5";
        /// with a decimal comma "1.037,5"), in a table read without <see cref="TableOptions.ThousandsSeparator"/>: a money or
        /// count column exported as a spreadsheet shows it, which would otherwise become an identifier ("all values distinct")
        /// or a category with nothing said of why. Null when that is not so. Checked once, after the reading, on the distinct
        /// values (<paramref name="texts"/>, else <see cref="ColumnReading.Texts"/>).
        /// </summary>
        private string? ThousandsHint(ColumnReading reading, string[]? texts = null)
        {
            if (options.ThousandsSeparator is not null || reading.Overflowed || reading.Others > 0)
            {
                return null;
            }

            char separator = options.DecimalComma ? '.' : ',';
            string? example = null;
            foreach (string text in texts ?? reading.Texts())
            {
                GroupedNumber found = CsvNumber.TryParseGrouped(text, separator, options.DecimalComma, out float value);
                if (found == GroupedNumber.Number && float.IsFinite(value))
                {
                    example ??= text;
                }
                else if (found == GroupedNumber.Malformed || !TableText.TryParseNumber(text, options.DecimalComma, '\0', out value) || !float.IsFinite(value))
                {
                    return null;
                }
            }

            return example is null ? null : $"every value is a number, some with thousands separators ({Csv.Quote(example)}): --thousands '{separator}' (TableOptions.ThousandsSeparator) reads them as numbers";
        }

        /// <summary>
        /// What a column read as text is told when its values are all percentages, amounts with a currency sign, or dates
        /// (<see cref="TextShape"/>): exports show them so, and each would otherwise become a category of its own, or the
        /// column an identifier, with nothing said of why. Null when that is not so. Checked once, after the reading, on the
        /// distinct values (<paramref name="texts"/>, else <see cref="ColumnReading.Texts"/>).
        /// </summary>
        private string? ShapeHint(ColumnReading reading, string[]? texts = null)
        {
            if (reading.Overflowed || reading.Others > 0)
            {
                return null;
            }

            (TextShape shape, string? example) = TextShapes.OfAll(texts ?? reading.Texts(), options.DecimalComma);
            return example is null ? null : TextShapes.Note(shape, example, options.DecimalComma);
        }

        private static PipelineColumn Ignored(ColumnReading reading, bool inferred, string? note) =>
            new(reading.Name, ColumnKind.Ignored, inferred, 0, 0f, false, [], false, false, UnknownCategories.Ignore, reading.Present, reading.Missing, note);

        private (PipelineColumn, ColumnPlan) NumberColumn(ColumnReading reading, int offset, bool inferred)
        {
            ChunkedList<float> values = reading.Values!;
            float fill = options.Imputation == Imputation.Median ? Median(values, reading.Present) : Mean(values);
            bool indicator = options.MissingIndicators && reading.Missing > 0;
            var column = new PipelineColumn(reading.Name, ColumnKind.Number, inferred, offset, fill, indicator, [], false, false, options.UnknownCategories, reading.Present, reading.Missing, null);
            return (column, new ColumnPlan(column, values, null, null));
        }

        private (PipelineColumn, ColumnPlan) CategoryColumn(ColumnReading reading, int offset, bool inferred)
        {
            // The most frequent ids, ties to the first seen (the smaller id), then their texts in ordinal order.
            string[] texts = reading.Texts();
            IReadOnlyList<int> counts = reading.Counts;
            int[] ids = Enumerable.Range(0, texts.Length).ToArray();
            Array.Sort(ids, (a, b) => counts[a] != counts[b] ? counts[b].CompareTo(counts[a]) : a.CompareTo(b));
            int kept = Math.Min(ids.Length, options.MaxCategories);
            int[] keptIds = ids[..kept];
            Array.Sort(keptIds, (a, b) => string.CompareOrdinal(texts[a], texts[b]));
            bool other = kept < texts.Length || reading.Others > 0;
            string[] categories = [.. keptIds.Select(id => texts[id])];
            string? note = null;
            if (reading.Overflowed)
            {
                note = string.Create(CultureInfo.InvariantCulture, $"{reading.Others:N0} values past what the reading holds (TableOptions.MaxDistinctValues) count as other");
            }
            else if (inferred && DecimalCommas(reading, texts))
            {
                note = DecimalCommaHint;
            }
            else if (inferred && ThousandsHint(reading, texts) is string thousands)
            {
                // Before the lone text: "every value but '1,500' is a number" would call a number a missing token.
                note = thousands;
            }
            else if (inferred && ShapeHint(reading, texts) is string shape)
            {
                note = shape;
            }
            else if (inferred && reading.LoneText is (string token, long times))
            {
                note = string.Create(CultureInfo.InvariantCulture, $"every value but {Csv.Quote(token)} ({times:N0} times) is a number: if it means missing, --missing {Csv.Quote(token.Trim())} (TableOptions.MissingTokens) makes this a number column");
            }

            var column = new PipelineColumn(reading.Name, ColumnKind.Category, inferred, offset, 0f, false, categories, other, reading.Missing > 0, options.UnknownCategories, reading.Present, reading.Missing, note);

            // Each id's slot: its kept slot, or other.
            int[] slotOfId = new int[texts.Length];
            Array.Fill(slotOfId, column.OtherSlot);
            for (int slot = 0; slot < keptIds.Length; slot++)
            {
                slotOfId[keptIds[slot]] = slot;
            }

            return (column, new ColumnPlan(column, null, reading.Ids!, slotOfId));
        }

        private static float Mean(ChunkedList<float> values)
        {
            double sum = 0;
            long count = 0;
            for (int chunk = 0; chunk < values.Chunks; chunk++)
            {
                foreach (float value in values.Chunk(chunk))
                {
                    if (!float.IsNaN(value))
                    {
                        sum += value;
                        count++;
                    }
                }
            }

            return (float)(sum / count);
        }

        /// <summary>The median of the values that are not missing: one column's copy, sorted.</summary>
        private static float Median(ChunkedList<float> values, long present)
        {
            float[] copy = new float[present];
            int n = 0;
            for (int chunk = 0; chunk < values.Chunks; chunk++)
            {
                foreach (float value in values.Chunk(chunk))
                {
                    if (!float.IsNaN(value))
                    {
                        copy[n++] = value;
                    }
                }
            }

            Array.Sort(copy);
            return n % 2 == 1 ? copy[n / 2] : (float)((copy[(n / 2) - 1] + (double)copy[n / 2]) / 2);
        }

        /// <summary>
        /// Whether the values that are not missing are all distinct: at once when they only increase (an identifier numbered
        /// as the rows were written), else from a sorted copy, one column at a time.
        /// </summary>
        private static bool AllDistinct(ChunkedList<float> values)
        {
            if (Increasing(values))
            {
                return true;
            }

            var copy = new List<float>(values.Count);
            for (int chunk = 0; chunk < values.Chunks; chunk++)
            {
                foreach (float value in values.Chunk(chunk))
                {
                    if (!float.IsNaN(value))
                    {
                        copy.Add(value);
                    }
                }
            }

            copy.Sort();
            for (int i = 1; i < copy.Count; i++)
            {
                if (copy[i] == copy[i - 1])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Whether each value that is not missing is larger than the one before it.</summary>
        private static bool Increasing(ChunkedList<float> values)
        {
            float last = float.NegativeInfinity;
            for (int chunk = 0; chunk < values.Chunks; chunk++)
            {
                foreach (float value in values.Chunk(chunk))
                {
                    if (value <= last)
                    {
                        return false;
                    }

                    last = float.IsNaN(value) ? last : value;
                }
            }

            return true;
        }
    }
}
