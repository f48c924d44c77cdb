namespace Native.Numerics;

internal sealed partial class CsvRecordReader
{
    /// <summary>The separators <see cref="DetectSeparator"/> chooses among, in the order that breaks ties (comma first).</summary>
    internal static ReadOnlySpan<char> Candidates => [',', ';', '\t', '|'];

    /// <summary>The character between fields.</summary>
    public char Separator => _separator;

    /// <summary>
    /// Chooses the separator from the first line that is not blank (the header), before any record is read: the most
    /// frequent of <see cref="Candidates"/> outside quoted fields, a tie going to the earlier candidate (a comma when
    /// there is none). The line is decoded into the buffer the records are then read from, so nothing is read twice;
    /// it is looked at no further than <see cref="CsvOptions.MaxLineLength"/> characters (the record's own reading then
    /// reports a longer one).
    /// </summary>
    public char DetectSeparator()
    {
        if (_position != 0 || _fieldCount != 0)
        {
            throw new InvalidOperationException("The separator is chosen before the first record is read.");
        }

        Span<int> counts = stackalloc int[Candidates.Length];
        counts.Clear();
        bool quoted = false, started = false;
        int scanned = 0;
        while (true)
        {
            for (; scanned < _end; scanned++)
            {
                char c = _buffer[scanned];
                if (c is '\n' or '\r')
                {
                    if (started && !quoted)
                    {
                        return Choose(counts);
                    }

                    continue;
                }

                started = true;
                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (!quoted)
                {
                    int candidate = Candidates.IndexOf(c);
                    if (candidate >= 0)
                    {
                        counts[candidate]++;
                    }
                }
            }

            // The record starts at 0 until the first is read, so decoding more never moves the text.
            if (scanned > _maxLineLength || !More(out _))
            {
                return Choose(counts);
            }
        }
    }

    private char Choose(ReadOnlySpan<int> counts)
    {
        int best = 0;
        for (int k = 1; k < counts.Length; k++)
        {
            if (counts[k] > counts[best])
            {
                best = k;
            }
        }

        _separator = Candidates[best];
        return _separator;
    }
}
