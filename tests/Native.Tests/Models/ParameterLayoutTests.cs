using FsCheck.Fluent;
using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Models;

/// <summary>The one statement of the parameter layout: its offsets, counts and scratch sizes, and their limits.</summary>
public class ParameterLayoutTests
{
    private static readonly FsCheck.Gen<int[]> Sizes =
        from layers in Gen.Choose(1, 5)
        from sizes in Gen.ArrayOf(Gen.Choose(1, 300), layers + 1)
        select sizes;

    [Fact]
    public void APerceptronsBlocksAreEachLayersWeightsThenItsBiases()
    {
        // 4-3-2: W0 (3 × 4) at 0, b0 (3) at 12, W1 (2 × 3) at 15, b1 (2) at 21; 23 in all.
        var layout = new ParameterLayout([4, 3, 2]);
        Assert.Equal((0, 12, 15, 21, 23), (layout.WeightOffset(0), layout.BiasOffset(0), layout.WeightOffset(1), layout.BiasOffset(1), layout.ParameterCount));

        // One row's scratch: the hidden layer's 3 outputs padded to a line; a chunk: 64 rows of outputs and of errors per layer.
        Assert.Equal((16, 0), (layout.RowScratch, layout.ScratchOffset(0)));
        Assert.Equal((0, 2 * 64 * 3, (2 * 64 * 3) + (2 * 64 * 2)), (layout.SlotOffset(0), layout.SlotOffset(1), layout.ChunkWorkspace));
    }

    [Fact]
    public void EveryLayerStartsWhereTheOneBelowEndsAndTheShapesOffsetsAreTheLayouts()
    {
        Properties.ForAll(Sizes, sizes =>
        {
            var layout = new ParameterLayout(sizes);
            ModelShape shape = sizes.Length == 2
                ? ModelShape.SoftmaxRegression(sizes[0], Math.Max(2, sizes[1]))
                : ModelShape.MultilayerPerceptron(sizes[..^1].Append(Math.Max(2, sizes[^1])).ToArray(), [Activation.Relu]);
            var shapes = shape.Layout;
            long total = 0, scratch = 0, workspace = 0;
            for (int l = 0; l < layout.LayerCount; l++)
            {
                Assert.Equal(total, layout.WeightOffset(l));
                Assert.Equal(total + ((long)sizes[l] * sizes[l + 1]), layout.BiasOffset(l));
                Assert.Equal(scratch, layout.ScratchOffset(l));
                Assert.Equal(workspace, layout.SlotOffset(l));
                Assert.Equal((shapes.WeightOffset(l), shapes.BiasOffset(l)), (shape.WeightOffset(l), shape.BiasOffset(l)));
                total += ((long)sizes[l] * sizes[l + 1]) + sizes[l + 1];
                scratch += l < layout.LayerCount - 1 ? AlignedBuffer.Pad(sizes[l + 1]) : 0;
                workspace += 2L * 64 * sizes[l + 1];
            }

            Assert.Equal(total, layout.ParameterTotal);
            Assert.Equal(total, layout.ParameterCount);
            Assert.Equal(scratch, layout.RowScratch);
            Assert.Equal(workspace, layout.ChunkWorkspace);
            Assert.Equal(shapes.ParameterCount, shape.ParameterCount);
        });
    }

    [Fact]
    public void ScratchRowsArePaddedToTheLinesTheAlignedBuffersUse()
    {
        Assert.Equal(AlignedBuffer.FloatsPerLine, ParameterLayout.FloatsPerLine);
        for (int width = 1; width <= 100; width++)
        {
            Assert.Equal(AlignedBuffer.Pad(width), ParameterLayout.PaddedWidth(width));
        }
    }

    [Fact]
    public void ParametersPastOneArrayAreCountedButHaveNoOffsets()
    {
        // 100,000 × 100,000 twice: 2·10^10 weights, counted exactly, beyond any array.
        var layout = new ParameterLayout([100_000, 100_000, 100_000]);
        Assert.Equal((2L * 100_000 * 100_000) + 200_000, layout.ParameterTotal);
        Assert.False(layout.FitsOneArray);
        Assert.Throws<OverflowException>(() => layout.ParameterCount);
        Assert.Throws<OverflowException>(() => layout.WeightOffset(0));
        Assert.Throws<ArgumentException>(() => ModelShape.MultilayerPerceptron([100_000, 100_000, 100_000, 2], [Activation.Relu]));
    }

    [Fact]
    public void ACountPastAnyModelStopsRatherThanOverflowing()
    {
        // Each layer about 2^62 parameters: the sum of four would overflow a long; the count stops at 2^62.
        int[] sizes = [int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue];
        var layout = new ParameterLayout(sizes);
        Assert.Equal(long.MaxValue / 2, layout.ParameterTotal);
        Assert.False(layout.FitsOneArray);
    }

    [Fact]
    public void ScratchTooWideForAnIntFailsWhenAModelIsMadeNotWhenItsShapeIs()
    {
        // 20,000,000 hidden units of one input: 80 M parameters fit an array; a chunk's 2 × 64 rows of them do not fit an int.
        ModelShape shape = ModelShape.MultilayerPerceptron([1, 20_000_000, 2], [Activation.Relu]);
        Assert.Equal(80_000_002, shape.ParameterCount);
        Assert.Throws<OverflowException>(() => shape.Layout.ChunkWorkspace);
        Assert.Throws<OverflowException>(() => shape.CreateModel());
    }
}
