using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// Which presynaptic neurons a block of a stage needs: the rule behind every routing table.
/// Dense: all of them. Conv: every input channel, and the rows/columns whose kernel footprint
/// touches the block's conv rows/columns (the halo), exact also for strides larger than the kernel.
/// </summary>
public static class ReceptiveField
{
    public static bool Needs(Stage stage, NeuronBlock block, int presynaptic)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(block);
        if (stage.IsDense) return true;
        var conv = stage.Conv;
        var input = stage.InputShape;
        var g = StageGeometry.Of(stage);
        var rem = presynaptic % (input.Height * input.Width);
        var y = rem / input.Width;
        var x = rem % input.Width;
        return Hits(y, g.ConvRowStart(block.RowStart), g.ConvRowEnd(block.RowEnd), conv)
            && Hits(x, g.ConvColStart(block.ColStart), g.ConvColEnd(block.ColEnd), conv);
    }

    /// <summary>Is there an output o in [outStart, outEnd) with o*stride &lt;= position + padding &lt;= o*stride + k - 1?</summary>
    private static bool Hits(int position, int outStart, int outEnd, Conv2dSpec conv)
    {
        var shifted = position + conv.Padding;
        var first = Math.Max(outStart, CeilDiv(shifted - conv.Kernel + 1, conv.Stride));
        var last = Math.Min(outEnd - 1, FloorDiv(shifted, conv.Stride));
        return first <= last;
    }

    private static int FloorDiv(int a, int b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static int CeilDiv(int a, int b) => -FloorDiv(-a, b);
}
