using System.Globalization;
using Native.Numerics.Kernels;

namespace Native.Numerics;

// Reading a table through a pipeline fitted before: each record a TableRow, encoded into the dataset's row.
public static partial class Table
{
    private static class Encoding
    {
        public static TableData Read(Stream stream, FeaturePipeline pipeline, TableOptions options, string? name)
        {
            if (options.LabelColumns.Count > 1)
            {
                throw new ArgumentException("Reading through a fitted pipeline takes one label column; several (a multi-output regression's) are read when the pipeline is fitted.", nameof(options));
            }

            var reader = new TableRowReader(stream, pipeline, name, options);
            string[] header = [.. reader.Header];
            int label = LabelOf(reader, header, options, name);
            var labels = new CsvLabelColumn(name, header[label], options.Labels, pipeline.DecimalComma, pipeline.Thousands);
            var rows = new CsvRows(pipeline.Features, Remaining(stream));
            TableRow row = pipeline.CreateRow();
            int count = 0;
            while (reader.ReadRow(row))
            {
                if (!Dataset.Fits(count + 1L, pipeline.Features))
                {
                    throw FileFormatException.AtLine(name, reader.Line, 1, string.Create(CultureInfo.InvariantCulture, $"too many rows: {count + 1} rows of {pipeline.Features} features are more than one dataset can hold."));
                }

                pipeline.Encode(row, rows.Next(0));
                ReadOnlySpan<char> text = reader.Text(label).Trim();
                int line = reader.LineOf(label), column = reader.ColumnOf(label);
                if (TableText.IsMissing(text, pipeline.MissingTokenArray))
                {
                    throw FileFormatException.AtLine(name, line, column, $"column {Csv.Quote(header[label])}: the label is missing ({MissingLabel(text)}); every row needs one.");
                }

                labels.Add(text, line, column);
                count++;
            }

            if (count == 0)
            {
                throw FileFormatException.AtLine(name, reader.HeaderLine, 1, "the file has a header but no data rows; expected at least one row after it.");
            }

            AlignedBuffer storage = rows.Finish();
            Dataset data = labels.Build(storage, count, pipeline.Features, reader.HeaderLine, 1);
            return new TableData(data.WithFeatureNames(pipeline.FeatureNames, header[label]), pipeline);
        }

        /// <summary>The label column: named or indexed by the options, else the last.</summary>
        private static int LabelOf(TableRowReader reader, string[] header, TableOptions options, string? name)
        {
            if (options.LabelColumns.Count > 0)
            {
                int j = reader.HeaderIndexOf(options.LabelColumns[0]);
                return j >= 0 ? j : throw FileFormatException.AtLine(name, reader.HeaderLine, 1, $"no column is named {Csv.Quote(options.LabelColumns[0])}, the label{TableHeader.Suggestion(header, options.LabelColumns[0])}; the header names {TableHeader.NameList(header)}.");
            }

            if (options.LabelIndex is int index)
            {
                return index < header.Length ? index : throw FileFormatException.AtLine(name, reader.HeaderLine, 1, string.Create(CultureInfo.InvariantCulture, $"the label column index is {index}, but the header has {header.Length} columns."));
            }

            return header.Length - 1;
        }

        private static long? Remaining(Stream stream)
        {
            try
            {
                return stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;
            }
            catch (Exception e) when (e is NotSupportedException or IOException)
            {
                return null;
            }
        }
    }
}
