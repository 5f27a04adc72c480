using AkkaTtfs.Core.Partitioning;
using AkkaTtfs.Core.Distributed;
using AkkaTtfs.Core.Network;

namespace AkkaTtfs.Core.Engines;

/// <summary>
/// The neurons of one stage that a partition owns: output channels [ChannelStart, ChannelEnd) times a
/// tile of POOLED rows [RowStart, RowEnd) and columns [ColStart, ColEnd). A dense stage is treated as
/// channels of a 1x1 map. Tiles are cut on the pooling grid so that a partition pools its own neurons;
/// the conv rows/columns that pooling drops (floor) belong to the last tile, so every neuron has one owner.
/// </summary>
public sealed record NeuronBlock(int ChannelStart, int ChannelEnd, int RowStart, int RowEnd, int ColStart, int ColEnd)
{
    /// <summary>The whole stage as one block.</summary>
    public static NeuronBlock Whole(Stage stage)
    {
        var g = StageGeometry.Of(stage);
        return new NeuronBlock(0, g.Channels, 0, g.PooledHeight, 0, g.PooledWidth);
    }

    public int ChannelCount => ChannelEnd - ChannelStart;

    public override string ToString() =>
        $"ch[{ChannelStart},{ChannelEnd}) rows[{RowStart},{RowEnd}) cols[{ColStart},{ColEnd})";
}

/// <summary>Index arithmetic of a stage: its own (conv) grid and its pooled output grid.</summary>
public readonly record struct StageGeometry(int Channels, int Height, int Width, int Pool, int PooledHeight, int PooledWidth)
{
    public static StageGeometry Of(Stage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var s = stage.ConvShape;
        var p = stage.PoolSize;
        return new StageGeometry(s.Channels, s.Height, s.Width, p, s.Height / p, s.Width / p);
    }

    /// <summary>First conv row of pooled row <paramref name="pooledRow"/>; the end of the last tile takes the leftover rows.</summary>
    public int ConvRowStart(int pooledRow) => pooledRow * Pool;

    public int ConvRowEnd(int pooledRowEnd) => pooledRowEnd == PooledHeight ? Height : pooledRowEnd * Pool;

    public int ConvColStart(int pooledCol) => pooledCol * Pool;

    public int ConvColEnd(int pooledColEnd) => pooledColEnd == PooledWidth ? Width : pooledColEnd * Pool;

    public int ConvIndex(int c, int y, int x) => (((c * Height) + y) * Width) + x;

    public int PooledIndex(int c, int y, int x) => (((c * PooledHeight) + y) * PooledWidth) + x;
}
