using Native.Numerics;

namespace Native.Cli.Commands;

// native predict on a model trained on a table: the records read into the pipeline's rows by column name.
internal static partial class PredictCommand
{
    /// <summary>
    /// Predicts every record of <paramref name="reader"/> (a CSV file's or standard input's, or Parquet files') through <paramref name="file"/>'s pipeline: the pipeline's columns
    /// matched by name (any order; the label and any other column read past; a column it uses and the header lacks is an
    /// error naming it), blanks imputed and unseen categories encoded as the pipeline says. One row, no allocation per record.
    /// </summary>
    private static void PredictTable(CliContext context, TrainedModel file, TableRecords reader, RowWriter writer, bool parquet)
    {
        TableRow row = file.CreateRow();
        bool any = false;
        while (reader.ReadRow(row))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            any = true;
            writer.PredictRow(row, reader.Where);
        }

        if (!any)
        {
            throw reader.HeaderError(parquet ? "the Parquet data have no rows; expected at least one." : "the file has a header but no data rows; expected at least one row after it.");
        }
    }
}
