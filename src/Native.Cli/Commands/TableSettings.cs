using System.CommandLine;
using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// How a CSV table is read and its pipeline fitted: the options of <c>native train</c> that map one for one onto
/// <see cref="TableOptions"/> (<c>--delimiter</c>, <c>--decimal-comma</c>, <c>--thousands</c>, <c>--missing</c>, <c>--categorical</c>,
/// <c>--numeric</c>, <c>--ignore</c>, <c>--max-categories</c>, <c>--impute</c>, <c>--missing-indicators</c>,
/// <c>--unknown-categories</c>, <c>--no-standardize</c>); <c>predict</c> and <c>evaluate</c> take <c>--delimiter</c> only
/// (the rest travels in the model's pipeline).
/// </summary>
internal sealed class TableSettings(bool fitting)
{
    private readonly Option<string?> _delimiter = new("--delimiter") { Description = "CSV: the character between fields: , ; | or tab (default: detected from the header line)." };
    private readonly Option<bool> _decimalComma = new("--decimal-comma") { Description = "CSV tables: numbers are written with a decimal comma (3,14); needs a delimiter other than a comma." };
    private readonly Option<string?> _thousands = new("--thousands") { Description = "CSV tables: the character grouping numbers' digits in threes, as pandas' thousands= (\"1,037.5\" with --thousands ,); strict: other groups are an error." };
    private readonly Option<string?> _missing = new("--missing") { Description = "CSV and Parquet tables: tokens meaning a missing value besides a blank field, comma-separated (like NA,?)." };
    private readonly Option<string?> _categorical = new("--categorical") { Description = "CSV and Parquet tables: columns to read as categories (text), comma-separated." };
    private readonly Option<string?> _numeric = new("--numeric") { Description = "CSV and Parquet tables: columns to read as numbers, comma-separated." };
    private readonly Option<string?> _ignore = new("--ignore") { Description = "CSV and Parquet tables: columns to leave out, comma-separated." };
    private readonly Option<int?> _maxCategories = new("--max-categories") { Description = "CSV and Parquet tables: the most categories a column keeps; the rest share an \"other\" feature. [default: 100]" };
    private readonly Choice<Imputation> _impute = new("--impute", "CSV and Parquet tables: what a blank (or null) number becomes (default: mean, the training rows' mean).", null, [("mean", Imputation.Mean), ("median", Imputation.Median)]);
    private readonly Option<bool> _indicators = new("--missing-indicators") { Description = "CSV and Parquet tables: a 0/1 feature per number column that had blanks, saying the value was missing." };
    private readonly Choice<UnknownCategories> _unknown = new("--unknown-categories", "CSV and Parquet tables: what a category never kept becomes when a column has no \"other\" feature: all zeros, or an error (default: ignore, all zeros).", null, [("ignore", UnknownCategories.Ignore), ("error", UnknownCategories.Error)]);
    private readonly Option<bool> _noStandardize = new("--no-standardize") { Description = "CSV and Parquet tables: leave numbers unscaled (by default a table's numbers are standardized; the scaling is saved with the model)." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_delimiter);
        if (fitting)
        {
            foreach (Option option in Fitting)
            {
                command.Options.Add(option);
            }
        }
    }

    private Option[] Fitting => [_decimalComma, _thousands, _missing, _categorical, _numeric, _ignore, _maxCategories, _impute.Option, _indicators, _unknown.Option, _noStandardize];

    /// <summary>Whether any option of the table's pipeline was given (then the table is read with its pipeline, whatever it holds).</summary>
    public bool AnyGiven(ParseResult parse) => fitting && Fitting.Any(parse.Given);

    /// <summary>Whether <c>--no-standardize</c> was given.</summary>
    public bool NoStandardize(ParseResult parse) => fitting && parse.GetValue(_noStandardize);

    /// <summary>Refuses a table option for IDX data, where it would do nothing.</summary>
    public void CheckApply(ParseResult parse, DataFormat format, string path)
    {
        if (format != DataFormat.Idx)
        {
            return;
        }

        Option[] options = fitting ? [_delimiter, .. Fitting] : [_delimiter];
        foreach (Option option in options)
        {
            if (parse.Given(option))
            {
                throw new UsageException($"{option.Name} is for CSV tables; '{path}' is read as IDX data, so it would do nothing. Remove it.");
            }
        }
    }

    /// <summary>The table options: the label (by name or 0-based index), the kind of labels, the reader's limits, and the options given.</summary>
    public TableOptions Read(ParseResult parse, string? label, CsvLabels labels, CsvOptions limits, bool standardize)
    {
        var kinds = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        if (fitting)
        {
            foreach ((Option<string?> option, ColumnKind kind) in new[] { (_categorical, ColumnKind.Category), (_numeric, ColumnKind.Number), (_ignore, ColumnKind.Ignored) })
            {
                foreach (string name in List(parse.GetValue(option)))
                {
                    if (!kinds.TryAdd(name, kind))
                    {
                        throw new UsageException($"The column '{Output.Printable.Text(name)}' is given two kinds (--categorical, --numeric, --ignore); give it one.");
                    }
                }
            }
        }

        int? maxCategories = fitting ? parse.GetValue(_maxCategories) : null;
        if (maxCategories is < 1)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--max-categories must be at least 1, got {maxCategories}."));
        }

        bool decimalComma = fitting && parse.GetValue(_decimalComma);
        char? delimiter = Delimiter(parse.GetValue(_delimiter));
        if (decimalComma && delimiter == ',')
        {
            throw new UsageException("--decimal-comma needs a delimiter other than a comma: give --delimiter ';' (or tab), or leave --decimal-comma out.");
        }

        char? thousands = fitting ? Thousands(parse.GetValue(_thousands), decimalComma, delimiter) : null;
        bool isIndex = int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out int index);
        return new TableOptions
        {
            Delimiter = delimiter,
            DecimalComma = decimalComma,
            ThousandsSeparator = thousands,
            MissingTokens = fitting ? [.. List(parse.GetValue(_missing))] : [],
            // Training: --label a,b names the targets of a multi-output regression.
            LabelColumns = label is null || isIndex ? [] : fitting && label.Contains(',', StringComparison.Ordinal) ? [.. label.Split(',').Select(part => part.Trim())] : [label],
            LabelIndex = isIndex ? index : null,
            Labels = labels,
            ColumnKinds = kinds,
            MaxCategories = maxCategories ?? 100,
            Imputation = (fitting ? _impute.Read(parse) : null) ?? Imputation.Mean,
            MissingIndicators = fitting && parse.GetValue(_indicators),
            UnknownCategories = (fitting ? _unknown.Read(parse) : null) ?? UnknownCategories.Ignore,
            Standardize = standardize,
            MaxFieldLength = limits.MaxFieldLength,
            MaxLineLength = limits.MaxLineLength,
            MaxColumns = limits.MaxColumns,
        };
    }

    /// <summary>The delimiter an option names: one character, or <c>tab</c>; null when not given.</summary>
    private static char? Delimiter(string? text) => text switch
    {
        null => null,
        "tab" or "\\t" or "\t" => '\t',
        { Length: 1 } when text[0] is not ('"' or '\r' or '\n' or '\0') => text[0],
        _ => throw new UsageException($"--delimiter takes one character (, ; |) or tab; got '{Output.Printable.Text(text)}'."),
    };

    /// <summary>The thousands separator an option names: one of , . ' _ or a space (<c>space</c>), not the decimal mark; null when not given.</summary>
    private static char? Thousands(string? text, bool decimalComma, char? delimiter)
    {
        char? separator = text switch
        {
            null => null,
            "space" or " " => ' ',
            { Length: 1 } when text[0] is ',' or '.' or '\'' or '_' or '\u00A0' or '\u202F' => text[0],
            _ => throw new UsageException($"--thousands takes one character: , . ' _ or space; got '{Output.Printable.Text(text)}'."),
        };
        if (separator == (decimalComma ? ',' : '.'))
        {
            throw new UsageException(decimalComma
                ? "--thousands ',' with --decimal-comma: the comma is the decimal mark; give --thousands . (or space) for 1.037,5."
                : "--thousands '.': the point is the decimal mark; with --decimal-comma it can group thousands (1.037,5).");
        }

        if (separator is char mark && mark == delimiter && mark != ',')
        {
            throw new UsageException($"--thousands '{mark}' is also the --delimiter; give another one.");
        }

        return separator;
    }

    private static string[] List(string? text) =>
        text is null ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
