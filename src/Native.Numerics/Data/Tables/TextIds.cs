using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics;

/// <summary>
/// The ids of a column's distinct texts, looked up by the field's characters without making a string: an open-addressing
/// table (linear probing, at most half full) of each text's string, hash and id, side by side in one slot.
/// </summary>
/// <remarks>
/// What <c>Dictionary&lt;string, int&gt;</c> with an ordinal comparer gives through its span lookup, at the cost of the
/// fields of a table: the hash reads four characters at a time and keeps one multiply per step, and nothing is called
/// through an interface. The hash is seeded per process (as .NET seeds string hashes), so texts chosen to collide in one
/// run do not in another; equal hashes are confirmed by comparing the characters.
/// </remarks>
internal sealed class TextIds
{
    /// <summary>The process's seed: texts cannot be chosen to collide without it.</summary>
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    private const ulong Multiplier = 0x9E3779B97F4A7C15;

    /// <summary>The slots: a power of two of them, at most half held.</summary>
    private Entry[] _entries = new Entry[16];

    /// <summary>The texts held.</summary>
    public int Count { get; private set; }

    /// <summary>The id of the text of the first <paramref name="length"/> characters of <paramref name="field"/>, if it is held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(ReadOnlySpan<char> field, int length, out int id) => Find(field[..length], Hash(field, length), out id);

    /// <summary>The id of <paramref name="text"/>, if it is held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetValue(ReadOnlySpan<char> text, out int id) => Find(text, Hash(text, text.Length), out id);

    /// <summary>The id of <paramref name="text"/>, whose hash is <paramref name="hash"/>, if it is held.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Find(ReadOnlySpan<char> text, int hash, out int id)
    {
        Entry[] entries = _entries;
        int mask = entries.Length - 1;
        for (int slot = hash & mask; ; slot = (slot + 1) & mask)
        {
            // One slot's hash, id and text in one place: one cache line, one bounds check.
            ref readonly Entry entry = ref entries[slot];
            if (entry.Text is null)
            {
                id = -1;
                return false;
            }

            if (entry.Hash == hash && text.SequenceEqual(entry.Text))
            {
                id = entry.Id;
                return true;
            }
        }
    }

    /// <summary>Holds <paramref name="text"/>, not held yet, with <paramref name="id"/>.</summary>
    public void Add(string text, int id)
    {
        if (2 * (Count + 1) > _entries.Length)
        {
            Grow();
        }

        Place(text, Hash(text, text.Length), id);
        Count++;
    }

    /// <summary>Each text held and its id, in no particular order.</summary>
    public IEnumerable<(string Text, int Id)> Pairs()
    {
        for (int slot = 0; slot < _entries.Length; slot++)
        {
            if (_entries[slot].Text is string text)
            {
                yield return (text, _entries[slot].Id);
            }
        }
    }

    private void Place(string text, int hash, int id)
    {
        int mask = _entries.Length - 1;
        int slot = hash & mask;
        while (_entries[slot].Text is not null)
        {
            slot = (slot + 1) & mask;
        }

        _entries[slot] = new Entry(text, hash, id);
    }

    private void Grow()
    {
        Entry[] entries = _entries;
        _entries = new Entry[2 * entries.Length];
        foreach (Entry entry in entries)
        {
            if (entry.Text is string text)
            {
                Place(text, entry.Hash, entry.Id);
            }
        }
    }

    /// <summary>A slot: its text (null when empty), the text's hash and its id.</summary>
    private readonly record struct Entry(string? Text, int Hash, int Id);

    /// <summary>
    /// The hash of the first <paramref name="length"/> characters of <paramref name="field"/>: four characters (eight bytes)
    /// at a time, each step a xor and a multiply, the last step's word zero past the text, then mixed. When the field has
    /// characters after the text, that last word is read whole and masked; else the text's end is copied into it. The two
    /// give the same word, so a text hashes alike with or without characters after it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<char> field, int length)
    {
        ulong hash = Seed ^ ((ulong)length * Multiplier);
        ReadOnlySpan<byte> all = MemoryMarshal.AsBytes(field);
        int end = 2 * length;
        int i = 0;
        for (; i + 8 <= end; i += 8)
        {
            hash = BitOperations.RotateLeft((hash ^ MemoryMarshal.Read<ulong>(all[i..])) * Multiplier, 29);
        }

        if (i < end)
        {
            ulong last;
            if (i + 8 <= all.Length)
            {
                // 2, 4 or 6 bytes of the text, then what follows it: kept by a mask of (end − i) bytes.
                last = MemoryMarshal.Read<ulong>(all[i..]) & ((1UL << (8 * (end - i))) - 1);
            }
            else
            {
                last = 0;
                all[i..end].CopyTo(MemoryMarshal.AsBytes(new Span<ulong>(ref last)));
            }

            hash = BitOperations.RotateLeft((hash ^ last) * Multiplier, 29);
        }

        // The finalizer of MurmurHash3: every input bit reaches the low bits, which pick the slot.
        hash ^= hash >> 33;
        hash *= 0xFF51AFD7ED558CCD;
        hash ^= hash >> 33;
        hash *= 0xC4CEB9FE1A85EC53;
        hash ^= hash >> 33;
        return (int)hash;
    }
}
