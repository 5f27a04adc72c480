using System.Globalization;
using System.Text.RegularExpressions;

namespace AkkaTtfs.Core.Network;

/// <summary>
/// Parses architecture strings such as <c>c12k5-p2-c64k5-p2-d10</c>: tokens joined by '-':
/// <c>c{out}k{k}[s{stride}][p{pad}|p]</c> conv (a bare trailing <c>p</c> means "same" padding k/2),
/// <c>p{size}</c> max-pool, <c>d{out}</c> dense, <c>f</c> flatten. Named presets are listed in <see cref="Presets"/>.
/// </summary>
public static partial class ArchitectureParser
{
    /// <summary>Named architectures: the paper's networks, a small MLP and a Fashion-MNIST network sized for CPU training.</summary>
    public static IReadOnlyDictionary<string, string> Presets { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["mlp"] = "d800-d10",
        ["mnist-cnn"] = "c12k5-p2-c64k5-p2-d10",
        ["fashion-cnn"] = "c32k3p-c32k3p-p2-c64k3p-c64k3p-p2-d256-d10",
        // Fashion-MNIST within an hour on 2 cores: fashion-cnn without its 2nd and 4th conv (4.6 M MACs instead of 19.1 M); docs/benchmarks.md.
        ["fmnist-cnn"] = "c32k3p-p2-c64k3p-p2-d256-d10",
        ["vgg16"] = "c64k3p-c64k3p-p2-c128k3p-c128k3p-p2-c256k3p-c256k3p-c256k3p-p2-c512k3p-c512k3p-c512k3p-p2-c512k3p-c512k3p-c512k3p-p2-d512-d512-d10",
    };

    [GeneratedRegex(@"^c(\d+)k(\d+)(?:s(\d+))?(?:p(\d*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ConvToken();

    [GeneratedRegex(@"^p(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex PoolToken();

    [GeneratedRegex(@"^d(\d+)$", RegexOptions.CultureInvariant)]
    private static partial Regex DenseToken();

    /// <summary>Parse a preset name or an architecture string into layers.</summary>
    public static IReadOnlyList<LayerSpec> Parse(string architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var text = architecture.Trim();
        if (Presets.TryGetValue(text, out var preset)) text = preset;
        if (text.Length == 0) throw new NetworkSpecException("the architecture string is empty");

        var layers = new List<LayerSpec>();
        var tokens = text.Split('-');
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i].Trim().ToLowerInvariant();
            Match m;
            if ((m = ConvToken().Match(token)).Success)
            {
                var k = Int(m.Groups[2].Value, token);
                var stride = m.Groups[3].Success ? Int(m.Groups[3].Value, token) : 1;
                var pad = !m.Groups[4].Success ? 0 : m.Groups[4].Value.Length == 0 ? k / 2 : Int(m.Groups[4].Value, token);
                layers.Add(new Conv2dSpec(Int(m.Groups[1].Value, token), k, stride, pad));
            }
            else if ((m = PoolToken().Match(token)).Success)
            {
                layers.Add(new MaxPoolSpec(Int(m.Groups[1].Value, token)));
            }
            else if ((m = DenseToken().Match(token)).Success)
            {
                layers.Add(new DenseSpec(Int(m.Groups[1].Value, token)));
            }
            else if (token == "f")
            {
                layers.Add(new FlattenSpec());
            }
            else
            {
                throw new NetworkSpecException(
                    $"architecture '{architecture}': token {i + 1} '{tokens[i]}' is not one of c<out>k<k>[s<stride>][p<pad>], p<size>, d<out>, f " +
                    $"(or a preset: {string.Join(", ", Presets.Keys)})");
            }
        }

        return layers;
    }

    /// <summary>Parse and validate against an input shape in one step.</summary>
    public static NetworkSpec Build(string architecture, TensorShape input) => NetworkSpec.Create(input, Parse(architecture));

    private static int Int(string digits, string token)
    {
        // Ranges (>= 1, padding >= 0) are checked by shape inference, which names the layer.
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var v))
        {
            // The token patterns use \d, which also matches non-ASCII digits.
            throw new NetworkSpecException(digits.All(char.IsAsciiDigit)
                ? $"architecture token '{token}': {digits} is larger than {int.MaxValue}, the largest size a layer may have"
                : $"architecture token '{token}': '{digits}' is not a number written with the digits 0-9");
        }

        return v;
    }
}
