using System.CommandLine;
using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>The limits on what the readers hold, as options every command that reads data takes.</summary>
internal sealed class ReaderLimits
{
    private readonly Option<int?> _field = new("--max-field-length") { Description = "CSV: the longest field, in characters (default 65,536)." };
    private readonly Option<int?> _line = new("--max-line-length") { Description = "CSV: the longest row, in characters (default 16,777,216)." };
    private readonly Option<int?> _columns = new("--max-columns") { Description = "CSV: the most columns (default 1,048,576)." };
    private readonly Option<int?> _ratio = new("--max-compression-ratio") { Description = "IDX: how many times a gzip file may expand (default 100, or to 64 MiB)." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_field);
        command.Options.Add(_line);
        command.Options.Add(_columns);
        command.Options.Add(_ratio);
    }

    /// <summary>
    /// Refuses a limit given for the other format (a CSV limit for IDX data, the gzip limit for a CSV file): it would
    /// do nothing, and the user meant something by it.
    /// </summary>
    public void CheckApply(ParseResult parse, DataFormat format, string path)
    {
        Option<int?>[] others = format == DataFormat.Idx ? [_field, _line, _columns] : [_ratio];
        foreach (Option<int?> option in others)
        {
            if (parse.Given(option))
            {
                string what = format == DataFormat.Idx ? "a CSV file" : "gzip IDX files";
                string read = format == DataFormat.Idx ? "IDX data" : "a CSV file";
                throw new UsageException($"{option.Name} limits {what}; '{path}' is read as {read}, so it would do nothing. Remove it.");
            }
        }
    }

    /// <summary>The options' values, each checked, as the readers' options.</summary>
    public (CsvOptions Csv, IdxOptions Idx) Read(ParseResult parse)
    {
        var defaults = new CsvOptions();
        var csv = new CsvOptions
        {
            MaxFieldLength = Positive(parse, _field) ?? defaults.MaxFieldLength,
            MaxLineLength = Positive(parse, _line) ?? defaults.MaxLineLength,
            MaxColumns = Positive(parse, _columns, minimum: 2) ?? defaults.MaxColumns,
        };
        var idx = new IdxOptions { MaxCompressionRatio = Positive(parse, _ratio) ?? IdxOptions.DefaultMaxCompressionRatio };
        return (csv, idx);
    }

    private static int? Positive(ParseResult parse, Option<int?> option, int minimum = 1)
    {
        int? value = parse.GetValue(option);
        return value is int v && v < minimum
            ? throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"{option.Name} must be at least {minimum}, got {v}."))
            : value;
    }
}
