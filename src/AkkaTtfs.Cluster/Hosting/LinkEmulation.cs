using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using AkkaTtfs.Core.Distributed;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// The emulated interconnect of one node (--link-latency, --link-bandwidth): a delay stage in the sender. Every
/// data-plane message this node sends to an actor in another actor system (a cross-node link) is held until
/// Core's <see cref="LinkSchedule"/> says it arrives: its serialized size over the bandwidth, one message after
/// the other per peer node, plus the latency. Local sends pass at once. Only the time a message arrives changes,
/// never its content or its order on a link, so results stay bit-identical.
///
/// Why not Akka.Remote's throttler adapter (which <see cref="LinkFaults"/> uses to cut links): in Akka 1.5.74 its
/// TokenBucket credits whole milliseconds since the last send and restarts that clock on every send, so frequent
/// small writes earn nothing and the rate it gives depends on the message rate, not only on the bandwidth; a
/// refused write makes the endpoint writer back off and retry, which adds its own quantum; it has no latency at all;
/// and it needs the adapters on every node (another address scheme) and a SetThrottle per peer after each
/// association. The delay stage gives an exact bound and a latency and works on any cluster. What it does not
/// emulate: Akka's own traffic (heartbeats, deployment, reports to the coordinator) and TCP effects (windows,
/// retransmission); the rehearsal script's namespaces do that with a real network path.
///
/// Set from HOCON (<see cref="ClusterNodeOptions.LinkLatencyMs"/>, <see cref="ClusterNodeOptions.LinkBytesPerSecond"/>,
/// or a --config file): <c>akkattfs.link-emulation.latency-ms</c> and <c>akkattfs.link-emulation.bytes-per-second</c>.
/// </summary>
public sealed class LinkEmulation : IExtension, IDisposable
{
    public const string LatencyPath = "akkattfs.link-emulation.latency-ms";
    public const string BandwidthPath = "akkattfs.link-emulation.bytes-per-second";

    private readonly ExtendedActorSystem _system;
    private readonly object _gate = new();
    private readonly PriorityQueue<Held, (double DeliverMs, long Sequence)> _held = new();
    private readonly Dictionary<Address, double> _linkFreeMs = [];
    private Thread? _releaser;
    private long _sequence;
    private bool _stopped;

    public LinkEmulation(ExtendedActorSystem system)
    {
        _system = system;
        Profile = Read(system.Settings.Config);
        if (Profile.IsActive) system.RegisterOnTermination(Dispose);
    }

    /// <summary>This node's link profile (<see cref="LinkProfile.None"/>: every send passes at once).</summary>
    public LinkProfile Profile { get; }

    /// <summary>Messages held so far (tests: a run with a profile holds every cross-node message).</summary>
    public long HeldMessages => Interlocked.Read(ref _sequence);

    public static LinkEmulation Get(ActorSystem system) => system.WithExtension<LinkEmulation, LinkEmulationProvider>();

    /// <summary>The profile a node's configuration asks for; a negative or non-numeric value is an error naming the path.</summary>
    public static LinkProfile Read(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double Value(string path)
        {
            var text = config.GetString(path, "0");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
                throw new ConfigurationException($"{path} = '{text}' must be a finite number >= 0");
            return value;
        }

        return new LinkProfile(Value(LatencyPath), Value(BandwidthPath));
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="target"/> as <paramref name="sender"/>: at once on a local
    /// link or without a profile, else when the emulated link delivers it.
    /// </summary>
    public void Send(IActorRef target, object message, IActorRef sender)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        if (!Profile.IsActive || target is not IActorRefScope { IsLocal: false })
        {
            target.Tell(message, sender);
            return;
        }

        // Charged what the serializer puts on the wire for it (the trace's wire bytes), not an estimate.
        var bytes = Profile.BytesPerSecond > 0 ? _system.Serialization.FindSerializerFor(message).ToBinary(message).LongLength : 0;
        lock (_gate)
        {
            if (_stopped)
            {
                target.Tell(message, sender);
                return;
            }

            var peer = target.Path.Address;
            var release = LinkSchedule.Next(Profile, TraceClock.NowMs, _linkFreeMs.GetValueOrDefault(peer, double.NegativeInfinity), bytes);
            _linkFreeMs[peer] = release.FreeMs;
            _held.Enqueue(new Held(target, message, sender), (release.DeliverMs, _sequence++));
            if (_releaser is null)
            {
                _releaser = new Thread(Release) { IsBackground = true, Name = $"link-emulation-{_system.Name}" };
                _releaser.Start();
            }

            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Stops holding: what is still held is delivered now (the system is going down).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }
    }

    // One thread per node delivers the held messages in order of arrival time (ties in sending order, so a link keeps
    // its order). A message is never delivered before its time; how late depends on the machine's scheduling.
    private void Release()
    {
        while (true)
        {
            Held? next = null;
            lock (_gate)
            {
                if (_held.Count == 0)
                {
                    if (_stopped) return;
                    Monitor.Wait(_gate);
                    continue;
                }

                _held.TryPeek(out _, out var due);
                var wait = due.DeliverMs - TraceClock.NowMs;
                if (wait <= 0 || _stopped) next = _held.Dequeue();
                // Timed waits have millisecond granularity: sleep whole milliseconds, then yield for the last fraction.
                else if (wait >= 1.5) Monitor.Wait(_gate, TimeSpan.FromMilliseconds(Math.Floor(wait - 0.5)));
            }

            if (next is null) Thread.Yield();
            else next.Target.Tell(next.Message, next.Sender);
        }
    }

    private sealed record Held(IActorRef Target, object Message, IActorRef Sender);
}

/// <summary>Creates the node's <see cref="LinkEmulation"/> once per actor system.</summary>
public sealed class LinkEmulationProvider : ExtensionIdProvider<LinkEmulation>
{
    public override LinkEmulation CreateExtension(ExtendedActorSystem system) => new(system);
}
