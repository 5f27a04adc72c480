using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// The secret that admits a node to a cluster. Every node derives from it the same P-256 key pair and
/// presents a self-signed certificate of that key in Akka.Remote's mutual TLS; a peer is accepted only when its
/// certificate carries that same public key, which only a holder of the secret can prove (the TLS handshake
/// signs with the private key). The secret itself never crosses the network. A stranger without it cannot
/// complete a connection to any member: it cannot join, send a message or receive one.
/// </summary>
public sealed class ClusterSecret
{
    /// <summary>Shortest secret accepted, in characters of the file's text (a generated one has 43).</summary>
    public const int MinimumLength = 16;

    private static readonly byte[] KeyLabel = "akkattfs cluster key v1"u8.ToArray();

    private readonly byte[] _secret;

    private ClusterSecret(byte[] secret, string origin)
    {
        _secret = secret;
        Origin = origin;
        using var key = DeriveKey(secret);
        PublicKey = key.ExportSubjectPublicKeyInfo();
    }

    /// <summary>Where the secret came from (a file path, or "generated"), for messages.</summary>
    public string Origin { get; }

    /// <summary>The derived public key (SubjectPublicKeyInfo, DER): what a peer's certificate must carry.</summary>
    public byte[] PublicKey { get; }

    /// <summary>A fresh random secret (32 bytes), as the embedded cluster uses.</summary>
    public static ClusterSecret Generate() => new(Encoding.ASCII.GetBytes(NewSecretText()), "generated");

    /// <summary>The text of a fresh secret file: 32 random bytes, base64url.</summary>
    public static string NewSecretText() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The secret as given in code (tests, or a caller that keeps it elsewhere).</summary>
    public static ClusterSecret FromText(string text, string origin = "given")
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (trimmed.Length < MinimumLength)
            throw new ArgumentException($"the cluster secret ({origin}) has {trimmed.Length} characters; it needs at least {MinimumLength} (make one with: head -c 32 /dev/urandom | base64 > FILE)", nameof(text));
        return new ClusterSecret(Encoding.UTF8.GetBytes(trimmed), origin);
    }

    /// <summary>
    /// Reads a secret file: its text, surrounding white space ignored, at least <see cref="MinimumLength"/> characters.
    /// On Unix the file must not be readable by group or others (as ssh requires of its keys).
    /// </summary>
    public static ClusterSecret Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"cluster secret file '{full}' does not exist", full);
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode Others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
            if ((File.GetUnixFileMode(full) & Others) != 0)
                throw new UnauthorizedAccessException($"cluster secret file '{full}' is readable or writable by other users; make it private: chmod 600 '{full}'");
        }

        return FromText(File.ReadAllText(full), $"file '{full}'");
    }

    /// <summary>A self-signed certificate of the derived key, with its private key, for this node's TLS.</summary>
    public X509Certificate2 CreateCertificate()
    {
        using var key = DeriveKey(_secret);
        var request = new CertificateRequest("CN=akkattfs-cluster", key, HashAlgorithmName.SHA256);
        // Fixed validity: nodes need not agree on the time, and the validator below checks the key, not the dates.
        return request.CreateSelfSigned(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2999, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    /// <summary>
    /// Accepts a peer whose certificate carries the cluster's public key, whatever its chain and name (the
    /// certificates are self-signed, and nodes are named by address); refuses everything else, logging the peer.
    /// </summary>
    public CertificateValidationCallback Validator() => (certificate, _, remotePeer, _, log) =>
    {
        if (certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.PublicKey.ExportSubjectPublicKeyInfo(), PublicKey)) return true;
        log?.Warning("refused a TLS connection with {0}: it did not prove the cluster secret ({1})", remotePeer,
            certificate is null ? "no certificate" : $"certificate '{certificate.Subject}' has another key");
        return false;
    };

    /// <summary>The Akka.Remote setup: mutual TLS with this secret's certificate and validator.</summary>
    public DotNettySslSetup TlsSetup() => new(CreateCertificate(), suppressValidation: false, requireMutualAuthentication: true, customValidator: Validator());

    /// <summary>The P-256 private scalar is HMAC-SHA256(secret, label), retried with a counter in the rare case it falls outside the curve's order.</summary>
    private static ECDsa DeriveKey(byte[] secret)
    {
        for (byte counter = 0; ; counter++)
        {
            var d = HMACSHA256.HashData(secret, (byte[])[.. KeyLabel, counter]);
            try
            {
                var key = ECDsa.Create();
                key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
                return key;
            }
            catch (CryptographicException) when (counter < 8)
            {
                // d was 0 or not below the group order (probability about 2^-32): derive the next one.
            }
        }
    }
}
