using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Native.Tests.Fuzzing;

/// <summary>Byte-level mutations any format gets: truncation, bit flips, overwrites, insertions, deletions, duplications.</summary>
internal static class Mutations
{
    /// <summary>Bytes that mean something to some format: zero, the extremes, the JSON and CSV punctuation, digits.</summary>
    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, 0xFE, (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)'"', (byte)',', (byte)':', (byte)'\n', (byte)'\r', (byte)'\\', (byte)'-', (byte)'.', (byte)'e', (byte)'0', (byte)'9', (byte)' '];

    /// <summary>32-bit sizes worth trying in a length field: the edges, the overflows, the plausible.</summary>
    public static readonly uint[] InterestingSizes = [0, 1, 2, 3, 4, 7, 8, 16, 255, 256, 1000, 28, 784, 60_000, 2_000_000, 65_535, 65_536, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF, 0x0100_0000, 0x4000_0000];

    /// <summary>Applies one random generic mutation to <paramref name="bytes"/> and says what it did.</summary>
    public static (byte[] Bytes, string Description) Any(Random random, byte[] bytes)
    {
        int n = bytes.Length;
        switch (random.Next(8))
        {
            case 0:
                {
                    int length = random.Next(n + 1);
                    return (bytes[..length], $"truncated to {length}");
                }

            case 1:
                {
                    byte[] copy = [.. bytes];
                    int flips = 1 + random.Next(8);
                    var at = new List<int>();
                    for (int f = 0; f < flips && n > 0; f++)
                    {
                        int bit = random.Next(n * 8);
                        copy[bit / 8] ^= (byte)(1 << (bit % 8));
                        at.Add(bit);
                    }

                    return (copy, $"bits {string.Join(' ', at)} flipped");
                }

            case 2:
                {
                    byte[] copy = [.. bytes];
                    int count = 1 + random.Next(8);
                    var at = new List<int>();
                    for (int k = 0; k < count && n > 0; k++)
                    {
                        int i = random.Next(n);
                        copy[i] = random.Next(2) == 0 ? Interesting[random.Next(Interesting.Length)] : (byte)random.Next(256);
                        at.Add(i);
                    }

                    return (copy, $"bytes {string.Join(' ', at)} overwritten");
                }

            case 3:
                {
                    int i = random.Next(n + 1), count = 1 + random.Next(16);
                    byte[] inserted = new byte[count];
                    for (int k = 0; k < count; k++)
                    {
                        inserted[k] = random.Next(2) == 0 ? Interesting[random.Next(Interesting.Length)] : (byte)random.Next(256);
                    }

                    return ([.. bytes[..i], .. inserted, .. bytes[i..]], $"{count} bytes inserted at {i}");
                }

            case 4:
                {
                    int i = random.Next(n + 1), count = Math.Min(n - i, 1 + random.Next(16));
                    return ([.. bytes[..i], .. bytes[(i + count)..]], $"{count} bytes deleted at {i}");
                }

            case 5:
                {
                    int i = random.Next(n + 1), count = Math.Min(n - i, 1 + random.Next(64)), to = random.Next(n + 1);
                    return ([.. bytes[..to], .. bytes.AsSpan(i, count), .. bytes[to..]], $"{count} bytes at {i} copied to {to}");
                }

            case 6:
                {
                    // A 32-bit field anywhere, big- or little-endian, set to a size worth trying.
                    byte[] copy = [.. bytes];
                    if (n >= 4)
                    {
                        int i = random.Next(n - 3);
                        uint size = InterestingSizes[random.Next(InterestingSizes.Length)];
                        bool big = random.Next(2) == 0;
                        if (big)
                        {
                            BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(i), size);
                        }
                        else
                        {
                            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(i), size);
                        }

                        return (copy, $"{(big ? "big" : "little")}-endian {size} written at {i}");
                    }

                    return (copy, "unchanged (too short for a 32-bit field)");
                }

            default:
                {
                    // Garbage appended: trailing data.
                    byte[] tail = new byte[1 + random.Next(32)];
                    random.NextBytes(tail);
                    return ([.. bytes, .. tail], $"{tail.Length} random bytes appended");
                }
        }
    }

    /// <summary>Replaces a random run of ASCII digits in <paramref name="text"/> with a number worth trying, or a neighbour of the one there.</summary>
    public static string ReplaceNumber(string text, Random random, out string description)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < text.Length;)
        {
            if (char.IsAsciiDigit(text[i]))
            {
                int start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                runs.Add((start, i - start));
            }
            else
            {
                i++;
            }
        }

        if (runs.Count == 0)
        {
            description = "no number to replace";
            return text;
        }

        (int s, int length) = runs[random.Next(runs.Count)];
        string[] numbers = ["0", "1", "2", "-1", "1.5", "1e3", "1e400", "NaN", "7", "4294967296", "4294967295", "2147483647", "2147483648", "18446744073709551615", "18446744073709551616", "99999999999999999999999999", "9223372036854775807", "100000000", "100000001"];
        string replacement = random.Next(3) == 0
            ? (long.Parse(text.AsSpan(s, Math.Min(length, 18)), CultureInfo.InvariantCulture) + random.Next(-4, 5)).ToString(CultureInfo.InvariantCulture)
            : numbers[random.Next(numbers.Length)];
        description = $"number '{text.Substring(s, length)}' at {s} replaced by '{replacement}'";
        return string.Concat(text.AsSpan(0, s), replacement, text.AsSpan(s + length));
    }

    /// <summary>Inserts or substitutes <paramref name="token"/> in <paramref name="text"/> at a random place.</summary>
    public static string InsertToken(string text, Random random, string token, out string description)
    {
        int at = random.Next(text.Length + 1);
        if (random.Next(2) == 0 || text.Length == 0)
        {
            description = $"'{Escape(token)}' inserted at {at}";
            return text.Insert(at, token);
        }

        int length = Math.Min(text.Length - at, 1 + random.Next(6));
        description = $"{length} chars at {at} replaced by '{Escape(token)}'";
        return string.Concat(text.AsSpan(0, at), token, text.AsSpan(at + length));
    }

    public static string Escape(string text)
    {
        var escaped = new StringBuilder();
        foreach (char c in text)
        {
            escaped.Append(c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return escaped.ToString();
    }
}
