using System.Text;

namespace Native.Generators.Emitter;

/// <summary>Writes indented C# line by line, with '\n' line ends whatever the platform (so output is deterministic).</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>Writes one line at the current indentation (an empty line has no indentation).</summary>
    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(text);
        }

        _text.Append('\n');
    }

    /// <summary>Writes <paramref name="header"/> (if any), then an opening brace, and indents.</summary>
    public void Open(string? header = null)
    {
        if (header is not null)
        {
            Line(header);
        }

        Line("{");
        _indent++;
    }

    /// <summary>Unindents and writes a closing brace followed by <paramref name="suffix"/>.</summary>
    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    /// <summary>Indents what follows one level without a brace (a case's statements).</summary>
    public void Indent() => _indent++;

    /// <summary>Undoes <see cref="Indent"/>.</summary>
    public void Outdent() => _indent--;

    /// <summary>Writes a <c>/// &lt;summary&gt;</c> comment of one line.</summary>
    public void Summary(string text) => Line("/// <summary>" + text + "</summary>");

    /// <summary>Writes a <c>/// &lt;summary&gt;</c> comment of several lines.</summary>
    public void Summary(params string[] lines)
    {
        Line("/// <summary>");
        foreach (string line in lines)
        {
            Line("/// " + line);
        }

        Line("/// </summary>");
    }

    /// <summary>Writes a <c>//</c> comment.</summary>
    public void Comment(string text) => Line("// " + text);

    public override string ToString() => _text.ToString();
}
