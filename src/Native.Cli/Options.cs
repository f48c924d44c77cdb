using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Native.Cli;

/// <summary>
/// An option whose value is one of a few words, parsed by System.CommandLine into a value of <typeparamref name="T"/>
/// (an enum): the words are listed in <c>--help</c> (<c>--model &lt;softmax|logistic|linear|mlp&gt;</c>), anything
/// else is a parse error naming them, and the command gets the enum, never a string to map again.
/// </summary>
internal sealed class Choice<T>
    where T : struct, Enum
{
    private readonly (string Word, T Value)[] _words;

    /// <param name="name">The option, like <c>--model</c>.</param>
    /// <param name="description">What it chooses; the words and the default are added.</param>
    /// <param name="defaultValue">The value when the option is not given, or null for none.</param>
    /// <param name="words">Each word and the value it stands for, in the order <c>--help</c> lists them (see <see cref="Vocabulary"/>).</param>
    public Choice(string name, string description, T? defaultValue, (string Word, T Value)[] words)
    {
        _words = words;
        Default = defaultValue;
        string choices = string.Join(", ", words.Select(w => w.Word));
        Option = new Option<T?>(name)
        {
            Description = defaultValue is T value ? $"{description} [default: {Word(value)}]" : description,
            HelpName = string.Join('|', words.Select(w => w.Word)),
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                foreach (var (word, value) in _words)
                {
                    if (string.Equals(word, text, StringComparison.OrdinalIgnoreCase))
                    {
                        return value;
                    }
                }

                result.AddError($"{name} must be one of {choices}; got '{Output.Printable.Text(text)}'.");
                return null;
            },
        };
        Option.CompletionSources.Add(words.Select(w => w.Word).ToArray());
    }

    /// <summary>The option to add to a command.</summary>
    public Option<T?> Option { get; }

    /// <summary>The value when the option is not given.</summary>
    public T? Default { get; }

    /// <summary>The value given, else the default.</summary>
    public T? Read(ParseResult parse) => parse.GetValue(Option) ?? Default;

    /// <summary>The word for <paramref name="value"/>, as the user types it.</summary>
    public string Word(T value) => Vocabulary.Word(_words, value);
}

/// <summary>Settings shared by the options of every command.</summary>
internal static class Options
{
    /// <summary>Whether <paramref name="option"/> was given on the command line (not merely defaulted).</summary>
    public static bool Given(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>
    /// Gives every number option under <paramref name="command"/> a parser in the command's own words: "--epochs takes a
    /// whole number; got 'many'." instead of System.CommandLine's "as expected type 'System.Nullable`1[System.Int32]'".
    /// Numbers are read in the invariant culture, as every number in the data is.
    /// </summary>
    public static void ParseNumbersPlainly(Command command)
    {
        foreach (Option option in command.Options)
        {
            switch (option)
            {
                case Option<int> whole:
                    whole.CustomParser = result => Whole(result, whole.Name) ?? 0;
                    break;
                case Option<int?> whole:
                    whole.CustomParser = result => Whole(result, whole.Name);
                    break;
                case Option<float> real:
                    real.CustomParser = result => (float?)Real(result, real.Name) ?? 0f;
                    break;
                case Option<float?> real:
                    real.CustomParser = result => (float?)Real(result, real.Name);
                    break;
                case Option<double> real:
                    real.CustomParser = result => Real(result, real.Name) ?? 0;
                    break;
                case Option<double?> real:
                    real.CustomParser = result => Real(result, real.Name);
                    break;
                default:
                    break;
            }
        }

        foreach (Command subcommand in command.Subcommands)
        {
            ParseNumbersPlainly(subcommand);
        }
    }

    private static int? Whole(ArgumentResult result, string name)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        result.AddError($"{name} takes a whole number; got '{Output.Printable.Text(text)}'.");
        return null;
    }

    private static double? Real(ArgumentResult result, string name)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return value; // NaN and infinities too: each option's own check says what range it takes
        }

        result.AddError($"{name} takes a number (like 0.01 or 1e-3); got '{Output.Printable.Text(text)}'.");
        return null;
    }
}
