using System.Runtime.Intrinsics;
using FsCheck.Fluent;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// The integer kernels on every path (the four widths, VNNI at 128 and 256 bits) against naive integer loops, bit for bit:
/// the byte products, and a layer's sums from packed weights for one row and for many.
/// </summary>
public class IntegerKernelTests
{
    // Every path's vector fits whole in 64 bytes: 16 lanes of four bytes.
    private const int Bytes = 64;

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void ProductsAreExactOverTheQuantizedRange(string path)
    {
        IntegerPath p = IntegerPaths.Parse(path);
        var cases = from seed in Gen.Choose(0, int.MaxValue)
                    from extreme in Gen.Elements(false, true)
                    select (seed, extreme);
        Properties.ForAll(cases, c =>
        {
            // Random bytes, or the extremes, where vpmaddubsw's pair sums are largest: 127 · ±127 twice, 32,258 in magnitude.
            var random = new Random(c.seed);
            byte[] u1 = Activations(random, Bytes, c.extreme), u2 = Activations(random, Bytes, c.extreme);
            byte[] s1 = Weights(random, Bytes, c.extreme), s2 = Weights(random, Bytes, c.extreme);
            int[] expected = new int[Bytes / 4];
            for (int lane = 0; lane < expected.Length; lane++)
            {
                for (int b = 4 * lane; b < (4 * lane) + 4; b++)
                {
                    expected[lane] += (u1[b] * (sbyte)s1[b]) + (u2[b] * (sbyte)s2[b]);
                }
            }

            Assert.Equal(expected, QuantizedKernelsAtPath.MultiplyAdd(p, u1, s1, u2, s2));
        });
    }

    [Fact]
    public void PortableProductsAreExactOverEveryByte()
    {
        // The form other CPUs take (and these, without the instructions): any unsigned byte by any signed byte.
        Properties.ForAll(Gen.Choose(0, int.MaxValue), seed =>
        {
            var random = new Random(seed);
            byte[] u = new byte[Bytes], s = new byte[Bytes];
            random.NextBytes(u);
            random.NextBytes(s);
            int[] start = Enumerable.Range(0, Bytes / 4).Select(_ => random.Next(-1 << 30, 1 << 30)).ToArray();
            int[] expected = new int[Bytes / 4];
            for (int lane = 0; lane < expected.Length; lane++)
            {
                expected[lane] = start[lane];
                for (int b = 4 * lane; b < (4 * lane) + 4; b++)
                {
                    expected[lane] += u[b] * (sbyte)s[b];
                }
            }

            var sums = Vector512.Create(start);
            var u512 = Vector512.Create(u);
            var s512 = Vector512.Create(s);
            Assert.Equal(expected, ToArray(PortableProducts.MultiplyAdd(sums, u512, s512)));
            Assert.Equal<int[]>(expected, [.. ToArray(PortableProducts.MultiplyAdd(sums.GetLower(), u512.GetLower(), s512.GetLower())), .. ToArray(PortableProducts.MultiplyAdd(sums.GetUpper(), u512.GetUpper(), s512.GetUpper()))]);
            Assert.Equal(expected[..4], ToArray(PortableProducts.MultiplyAdd(sums.GetLower().GetLower(), u512.GetLower().GetLower(), s512.GetLower().GetLower())));
        });
    }

    [Fact]
    public void TheRangesKeepEverySumExact()
    {
        // vpmaddubsw adds two products into 16 bits with saturation: the quantized range keeps that sum below 2^15
        // (8-bit activations would not: 2 · 255 · 127 = 64,770); and the widest layer's 32-bit sum below 2^31.
        Assert.True(2 * QuantizedRange.MaximumActivation * QuantizedRange.MaximumWeight <= short.MaxValue);
        Assert.True(2 * 255 * QuantizedRange.MaximumWeight > short.MaxValue);
        Assert.True((long)QuantizedRange.MaximumInputs * QuantizedRange.MaximumActivation * QuantizedRange.MaximumWeight <= int.MaxValue);
        Assert.True((long)(QuantizedRange.MaximumInputs + 1) * QuantizedRange.MaximumActivation * QuantizedRange.MaximumWeight > int.MaxValue);
    }

    // A layer: rows, inputs (around every group and vector size, and MNIST's 784), outputs (1 to 3 vectors of 16 and
    // beyond 8 vectors at every width), and whether its bytes are the extremes.
    private static readonly FsCheck.Gen<(int Rows, int Inputs, int Outputs, int Seed, bool Extreme)> Layers =
        from rows in Gen.Choose(1, 11)
        from inputs in Gen.Elements(1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 130, 784)
        from outputs in Gen.OneOf(Gen.Choose(1, 40), Gen.Elements(128, 130, 150))
        from seed in Gen.Choose(0, int.MaxValue)
        from extreme in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        select (rows, inputs, outputs, seed, extreme);

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void SumsOfOneRowAndOfManyMatchNaiveLoops(string path)
    {
        IntegerPath p = IntegerPaths.Parse(path);
        Properties.ForAll(Layers, c => SumsMatchNaiveLoops(p, c.Rows, c.Inputs, c.Outputs, c.Seed, c.Extreme));
    }

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void EveryBlockOfRowsAndOutputVectorsMatchesNaiveLoops(string path)
    {
        // Every block the batch kernel takes, on every path: 1 to 9 rows (blocks of four, then a block of two or three
        // rows, or one row alone) against 1 to 9 output vectors of 16 (at 4, 8 and 16 lanes: blocks of four or two vectors
        // and every remainder), over an odd number of groups.
        IntegerPath p = IntegerPaths.Parse(path);
        for (int rows = 1; rows <= 9; rows++)
        {
            foreach (int outputs in (int[])[16, 32, 48, 64, 80, 96, 112, 144])
            {
                SumsMatchNaiveLoops(p, rows, 33, outputs, seed: (rows * 1000) + outputs, extreme: rows % 3 == 0);
            }
        }
    }

    private static void SumsMatchNaiveLoops(IntegerPath p, int rows, int inputs, int outputs, int seed, bool extreme)
    {
        var random = new Random(seed);
        byte[] weights = Weights(random, outputs * inputs, extreme);
        int groups = (inputs + 3) / 4;
        int padded = (outputs + 15) / 16 * 16;
        int stride = groups * 4 + (4 * random.Next(3)); // rows of bytes at a stride past their end
        byte[] a = new byte[rows * stride];
        for (int r = 0; r < rows; r++)
        {
            Activations(random, inputs, extreme).CopyTo(a, r * stride);
        }

        int[] expected = new int[rows * padded];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outputs; o++)
            {
                for (int i = 0; i < inputs; i++)
                {
                    expected[(r * padded) + o] += a[(r * stride) + i] * (sbyte)weights[(o * inputs) + i];
                }
            }
        }

        byte[] packed = Pack(weights, inputs, outputs);
        int[] actual = Enumerable.Repeat(-7, (rows * padded) + 16).ToArray(); // nothing written past the rows' sums
        QuantizedKernelsAtPath.Sums(p, a, stride, rows, packed, groups, padded, actual);
        Assert.Equal(expected, actual[..(rows * padded)]);
        Assert.All(actual[(rows * padded)..], guard => Assert.Equal(-7, guard));
    }

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void DotProductsMatchNaiveLoops(string path)
    {
        // The row-major form: rows of W padded to 64 bytes; up to 40 outputs (blocks of 16 or 8 and every remainder).
        IntegerPath p = IntegerPaths.Parse(path);
        Properties.ForAll(Layers, c =>
        {
            var random = new Random(c.Seed);
            int length = (c.Inputs + 63) / 64 * 64;
            byte[] weights = Weights(random, c.Outputs * c.Inputs, c.Extreme);
            byte[] w = new byte[c.Outputs * length];
            byte[] a = new byte[length];
            Activations(random, c.Inputs, c.Extreme).CopyTo(a, 0);
            random.NextBytes(a.AsSpan(c.Inputs)); // past the inputs, any bytes: their weights are zero
            int[] expected = new int[c.Outputs];
            for (int o = 0; o < c.Outputs; o++)
            {
                weights.AsSpan(o * c.Inputs, c.Inputs).CopyTo(w.AsSpan(o * length));
                for (int i = 0; i < c.Inputs; i++)
                {
                    expected[o] += a[i] * (sbyte)weights[(o * c.Inputs) + i];
                }
            }

            // Exactly the outputs' sums, nothing written past them (the guard values stay).
            int[] actual = Enumerable.Repeat(-7, c.Outputs + 16).ToArray();
            QuantizedKernelsAtPath.DotProducts(p, a, w, length, c.Inputs, c.Outputs, actual);
            Assert.Equal(expected, actual[..c.Outputs]);
            Assert.All(actual[c.Outputs..], v => Assert.Equal(-7, v));
        });
    }

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void DotProductsOfManyRowsMatchNaiveLoops(string path)
    {
        // The row-major form for a batch: blocks of four (or two) rows against five outputs and every remainder of rows
        // and outputs; each row's sums at a stride, nothing written between or past them (the guard values stay).
        IntegerPath p = IntegerPaths.Parse(path);
        Properties.ForAll(Layers, c =>
        {
            var random = new Random(c.Seed);
            int length = (c.Inputs + 63) / 64 * 64;
            int rowStride = length + (64 * random.Next(2)), sumStride = c.Outputs + random.Next(3);
            byte[] weights = Weights(random, c.Outputs * c.Inputs, c.Extreme);
            byte[] w = new byte[c.Outputs * length];
            for (int o = 0; o < c.Outputs; o++)
            {
                weights.AsSpan(o * c.Inputs, c.Inputs).CopyTo(w.AsSpan(o * length));
            }

            byte[] a = new byte[c.Rows * rowStride];
            random.NextBytes(a); // past each row's inputs, any bytes: their weights are zero
            int[] expected = Enumerable.Repeat(-7, (c.Rows * sumStride) + 16).ToArray();
            for (int r = 0; r < c.Rows; r++)
            {
                Activations(random, c.Inputs, c.Extreme).CopyTo(a, r * rowStride);
                for (int o = 0; o < c.Outputs; o++)
                {
                    int sum = 0;
                    for (int i = 0; i < c.Inputs; i++)
                    {
                        sum += a[(r * rowStride) + i] * (sbyte)weights[(o * c.Inputs) + i];
                    }

                    expected[(r * sumStride) + o] = sum;
                }
            }

            int[] actual = Enumerable.Repeat(-7, expected.Length).ToArray();
            QuantizedKernelsAtPath.DotProductRows(p, a, rowStride, c.Rows, w, length, c.Inputs, c.Outputs, actual, sumStride);
            Assert.Equal(expected, actual);
        });
    }

    [Fact]
    public void PackedLayerLaysOutGroupsOfFourInputsPerOutput()
    {
        // The engine's packing is the layout the kernel tests pack by hand: [group][padded output][four inputs], zero-padded;
        // and each output's weight sum (for the zero point) beside it.
        var random = new Random(5);
        const int inputs = 7, outputs = 19;
        byte[] weights = Weights(random, inputs * outputs, false);
        var layer = new QuantizedLayer(inputs, outputs, (sbyte[])(Array)weights, new float[outputs], new float[outputs], 1f, 0);
        var packed = new PackedLayer(layer, null, LayerForm.Broadcast);
        byte[] expected = Pack(weights, inputs, outputs);
        byte[] actual = new byte[expected.Length];
        for (int k = 0; k < actual.Length; k++)
        {
            actual[k] = System.Runtime.CompilerServices.Unsafe.Add(ref packed.Weights, k);
        }

        Assert.Equal(expected, actual);
        for (int o = 0; o < packed.PaddedOutputs; o++)
        {
            int sum = o < outputs ? Enumerable.Range(0, inputs).Sum(i => (sbyte)weights[(o * inputs) + i]) : 0;
            Assert.Equal(sum, System.Runtime.CompilerServices.Unsafe.Add(ref packed.WeightSums, o));
        }
    }

    [Fact]
    public void EachLayerTakesTheFormOfFewerInstructions()
    {
        static LayerForm Form(int inputs, int outputs) =>
            new PackedLayer(new QuantizedLayer(inputs, outputs, new sbyte[inputs * outputs], new float[outputs], new float[outputs], 1f, 0), null).Form;

        Assert.Equal(LayerForm.DotProduct, Form(784, 10)); // MNIST's head: 150 steps against 196
        Assert.Equal(LayerForm.Broadcast, Form(784, 128)); // its hidden layer: 1,568 against 1,920
        Assert.Equal(LayerForm.Broadcast, Form(128, 10));
        Assert.Equal(LayerForm.DotProduct, Form(30, 1)); // a logistic regression
        Assert.Equal(LayerForm.Broadcast, Form(4, 3));
    }

    /// <summary>Weights (outputs × inputs, row-major) packed as the kernel reads them: [group][output padded to 16][4].</summary>
    internal static byte[] Pack(byte[] weights, int inputs, int outputs)
    {
        int groups = (inputs + 3) / 4, padded = (outputs + 15) / 16 * 16;
        byte[] packed = new byte[groups * padded * 4];
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < inputs; i++)
            {
                packed[((((i / 4) * padded) + o) * 4) + (i % 4)] = weights[(o * inputs) + i];
            }
        }

        return packed;
    }

    /// <summary>Activation bytes, 0 to 127 (or only 0 and 127).</summary>
    internal static byte[] Activations(Random random, int length, bool extreme) =>
        Enumerable.Range(0, length).Select(_ => (byte)(extreme ? 127 * random.Next(2) : random.Next(128))).ToArray();

    /// <summary>Weight bytes, −127 to 127 (or only ±127), as the bytes of signed values.</summary>
    internal static byte[] Weights(Random random, int length, bool extreme) =>
        Enumerable.Range(0, length).Select(_ => (byte)(sbyte)(extreme ? (random.Next(2) == 0 ? -127 : 127) : random.Next(-127, 128))).ToArray();

    private static int[] ToArray<T>(T vector)
        where T : struct
    {
        int[] lanes = new int[System.Runtime.CompilerServices.Unsafe.SizeOf<T>() / sizeof(int)];
        System.Runtime.CompilerServices.Unsafe.WriteUnaligned(ref System.Runtime.CompilerServices.Unsafe.As<int, byte>(ref lanes[0]), vector);
        return lanes;
    }
}
