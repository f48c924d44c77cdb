using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Native.Numerics.Streaming;

// Reading a layout back: the header, then the trailer, every field checked before it is trusted, each failure a
// FileFormatException naming the file and the byte offset.
internal sealed partial class RowCacheLayout
{
    /// <summary>The most features a cache may declare (one dataset row's worth, as a CSV file's columns are bounded).</summary>
    private const int MaxFeatures = 1 << 24;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The version in <paramref name="header"/> when its magic is a row cache's, else −1 (for "written by another version").</summary>
    public static int VersionOf(ReadOnlySpan<byte> header) =>
        header.Length >= 12 && header[..8].SequenceEqual(Magic) ? BinaryPrimitives.ReadInt32LittleEndian(header[8..]) : -1;

    /// <summary>Reads and checks a header from a file of <paramref name="length"/> bytes.</summary>
    public static RowCacheLayout ReadHeader(ReadOnlySpan<byte> header, long length, string path)
    {
        if (length < HeaderLength || header.Length < HeaderLength)
        {
            throw FileFormatException.AtOffset(path, length, Invariant($"the file is {length} bytes, shorter than a row cache's {HeaderLength}-byte header: it is truncated."));
        }

        if (!header[..8].SequenceEqual(Magic))
        {
            throw FileFormatException.AtOffset(path, 0, "the file does not start with \"NATVROWS\": it is not a row cache.");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version)
        {
            throw FileFormatException.AtOffset(path, 8, Invariant($"the row cache is version {version}; this library reads version {Version}."));
        }

        uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(header[124..]);
        if (Checksum(header[..124]) != checksum || BinaryPrimitives.ReadInt32LittleEndian(header[12..]) != HeaderLength)
        {
            throw FileFormatException.AtOffset(path, 124, "the header fails its checksum: the file is damaged.");
        }

        var layout = new RowCacheLayout
        {
            FileLength = BinaryPrimitives.ReadInt64LittleEndian(header[16..]),
            Rows = BinaryPrimitives.ReadInt64LittleEndian(header[24..]),
            Features = BinaryPrimitives.ReadInt32LittleEndian(header[32..]),
            BlockRows = BinaryPrimitives.ReadInt32LittleEndian(header[36..]),
            Labels = (CachedLabels)BinaryPrimitives.ReadInt32LittleEndian(header[44..]),
            Storage = (RowStorage)BinaryPrimitives.ReadInt32LittleEndian(header[56..]),
            TrailerOffset = BinaryPrimitives.ReadInt64LittleEndian(header[64..]),
            TrailerLength = BinaryPrimitives.ReadInt64LittleEndian(header[72..]),
            TrailerChecksum = BinaryPrimitives.ReadUInt32LittleEndian(header[80..]),
        };
        int blocks = BinaryPrimitives.ReadInt32LittleEndian(header[40..]);
        int labelIds = BinaryPrimitives.ReadInt32LittleEndian(header[48..]);
        int classes = BinaryPrimitives.ReadInt32LittleEndian(header[52..]);
        if (layout.FileLength != length)
        {
            throw FileFormatException.AtOffset(path, 16, Invariant($"the header says the file is {layout.FileLength} bytes, but it is {length}: it is {(length < layout.FileLength ? "truncated" : "longer than written")}."));
        }

        bool classified = layout.Labels == CachedLabels.Classes;
        if (layout.Features < 1 || layout.Features > MaxFeatures || layout.Rows < 1 || layout.BlockRows < 1 || blocks < 1
            || (layout.Rows + layout.BlockRows - 1) / layout.BlockRows != blocks || !Enum.IsDefined(layout.Labels) || !Enum.IsDefined(layout.Storage)
            || labelIds < 0 || classes < 0 || (classified ? classes < 2 : classes != 0) || (layout.Labels == CachedLabels.Targets && labelIds != 0)
            || layout.TrailerOffset < FirstBlock || layout.TrailerLength < 0 || layout.TrailerOffset > length - layout.TrailerLength || layout.TrailerLength > Array.MaxLength
            || (24L * blocks) + (4L * labelIds) + (8L * classes) + (24L * layout.Features) > layout.TrailerLength)
        {
            throw FileFormatException.AtOffset(path, 24, "the header's counts contradict each other or the file's length: the file is damaged.");
        }

        layout.Blocks = new BlockEntry[blocks];
        layout.LabelMap = new int[labelIds];
        layout.Classes = classes;
        layout.ClassCounts = new long[classes];
        return layout;
    }

    /// <summary>Reads and checks the trailer (the header read already) from <paramref name="trailer"/>.</summary>
    public void ReadTrailer(ReadOnlySpan<byte> trailer, string path)
    {
        if (Checksum(trailer) != TrailerChecksum)
        {
            throw FileFormatException.AtOffset(path, TrailerOffset, "the trailer (names, label map, block table) fails its checksum: the file is damaged.");
        }

        var reader = new TrailerReader(trailer, TrailerOffset, path);
        Description = reader.String();
        Files = new SourceFile[reader.Count(20)];
        for (int f = 0; f < Files.Length; f++)
        {
            Files[f] = new SourceFile(reader.String(), reader.Int64(), reader.Int64());
        }

        bool named = reader.Byte() != 0;
        string label = reader.String();
        LabelName = named ? label : null;
        int featureNames = reader.Count(4);
        if (featureNames != 0 && featureNames != Features)
        {
            throw reader.Error(Invariant($"{featureNames} feature names for {Features} features."));
        }

        FeatureNames = new string[featureNames];
        for (int j = 0; j < featureNames; j++)
        {
            FeatureNames[j] = reader.String();
        }

        int classNames = reader.Count(4);
        if (classNames != 0 && classNames != Classes)
        {
            throw reader.Error(Invariant($"{classNames} class names for {Classes} classes."));
        }

        ClassNames = new string[classNames];
        for (int c = 0; c < ClassNames.Length; c++)
        {
            ClassNames[c] = reader.String();
            if (ClassNames[c].Length == 0)
            {
                throw reader.Error(Invariant($"class {c} has an empty name."));
            }
        }

        for (int id = 0; id < LabelMap.Length; id++)
        {
            LabelMap[id] = reader.Int32();
            bool bad = Labels == CachedLabels.Classes ? (uint)LabelMap[id] >= (uint)Classes : !float.IsFinite(BitConverter.Int32BitsToSingle(LabelMap[id]));
            if (bad)
            {
                throw reader.Error(Invariant($"label id {id} maps to {LabelMap[id]}, which is not {(Labels == CachedLabels.Classes ? "a class" : "a finite value")}."));
            }
        }

        long counted = 0;
        for (int c = 0; c < ClassCounts.Length; c++)
        {
            ClassCounts[c] = reader.Int64();
            counted += ClassCounts[c] >= 0 ? ClassCounts[c] : throw reader.Error("a class count is negative.");
        }

        if (ClassCounts.Length > 0 && counted != Rows)
        {
            throw reader.Error(Invariant($"the classes count {counted} rows, not {Rows}."));
        }

        ReadStatistics(ref reader);
        ReadBlocks(ref reader);
        if (!reader.AtEnd)
        {
            throw reader.Error("bytes follow the block table.");
        }
    }

    private void ReadStatistics(ref TrailerReader reader)
    {
        long count = reader.Int64();
        double[] means = reader.Doubles(Features), squares = reader.Doubles(Features);
        float[] smallest = reader.Floats(Features), largest = reader.Floats(Features);
        if (count != Rows)
        {
            throw reader.Error(Invariant($"the statistics count {count} rows, not {Rows}."));
        }

        Statistics = new FeatureStatistics(count, means, squares, smallest, largest);
    }

    private void ReadBlocks(ref TrailerReader reader)
    {
        long expected = FirstBlock, rows = 0;
        for (int b = 0; b < Blocks.Length; b++)
        {
            long offset = reader.Int64();
            int count = reader.Int32();
            var type = (BlockType)reader.Int32();
            float divisor = reader.Single();
            uint checksum = reader.UInt32();
            bool last = b == Blocks.Length - 1;
            if (offset != expected || !Enum.IsDefined(type) || (type == BlockType.Byte ? divisor is not (1f or 255f) : divisor != 1f)
                || count < 1 || count > BlockRows || (!last && count != BlockRows))
            {
                throw reader.Error(Invariant($"block {b}'s entry (offset {offset}, {count} rows, type {(int)type}) does not fit the blocks before it."));
            }

            Blocks[b] = new BlockEntry(offset, count, type, divisor, checksum);
            rows += count;
            expected = offset + BlockLength(b);
            if (expected > TrailerOffset)
            {
                throw reader.Error(Invariant($"block {b} runs past the trailer."));
            }
        }

        if (rows != Rows || expected != TrailerOffset)
        {
            throw reader.Error(Invariant($"the blocks hold {rows} rows ending at byte {expected}; the header says {Rows} rows and the trailer at {TrailerOffset}."));
        }
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads the trailer's fields, each bounded by the bytes left.</summary>
    private ref struct TrailerReader(ReadOnlySpan<byte> bytes, long origin, string path)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at == _bytes.Length;

        public readonly FileFormatException Error(string message) =>
            FileFormatException.AtOffset(path, origin + _at, $"the trailer is damaged: {message}");

        public byte Byte() => Take(1)[0];

        public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public float Single() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

        /// <summary>A count of entries of at least <paramref name="entryBytes"/> bytes each, checked against the bytes left.</summary>
        public int Count(int entryBytes)
        {
            int count = Int32();
            return count >= 0 && count <= (_bytes.Length - _at) / entryBytes ? count : throw Error(Invariant($"a count of {count} entries does not fit the {_bytes.Length - _at} bytes left."));
        }

        public string String()
        {
            int length = Count(1);
            try
            {
                return Strict.GetString(Take(length));
            }
            catch (DecoderFallbackException)
            {
                throw Error("a name is not valid UTF-8.");
            }
        }

        public double[] Doubles(int count)
        {
            ReadOnlySpan<byte> raw = Take(checked(count * 8));
            double[] values = new double[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]);
            }

            return values;
        }

        public float[] Floats(int count)
        {
            ReadOnlySpan<byte> raw = Take(checked(count * 4));
            float[] values = new float[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
            }

            return values;
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length < 0 || length > _bytes.Length - _at)
            {
                throw Error(Invariant($"a field of {length} bytes runs past the trailer's end."));
            }

            ReadOnlySpan<byte> taken = _bytes.Slice(_at, length);
            _at += length;
            return taken;
        }
    }
}
