using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using AkkaTtfs.Cluster.Actors;
using AkkaTtfs.Cluster.Hosting;
using AkkaTtfs.Core.Faults;
using AkkaTtfs.Core.Training;
using AkkaCluster = Akka.Cluster.Cluster;

namespace AkkaTtfs.Cluster.Runtime;

/// <summary>Entry points of the distributed runtime: start a node's agent, find the workers, start the coordinator, run.</summary>
public static class ClusterRuntime
{
    /// <summary>Starts the node agent at /user/node-agent (every worker node runs one).</summary>
    public static IActorRef StartNodeAgent(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.ActorOf(NodeAgent.CreateProps(), NodeAgent.Name);
    }

    /// <summary>
    /// Waits until at least <paramref name="minWorkers"/> members with the worker role are Up, then
    /// resolves their agents, this node first if it is a worker, then the others ordered by address. Fails with a message naming who is there when they do not come in time.
    /// </summary>
    public static async Task<IReadOnlyList<WorkerNode>> DiscoverWorkersAsync(ActorSystem system, int minWorkers, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (minWorkers < 1) throw new ArgumentOutOfRangeException(nameof(minWorkers), minWorkers, "at least one worker is needed");
        var cluster = AkkaCluster.Get(system);
        var deadline = DateTime.UtcNow + timeout;
        List<Member> workers;
        while (true)
        {
            // The coordinator's own node (when it is a worker) first, then by address: so node 0 of a plan's
            // runtime faults is always the node that must not be killed, and the others are stable.
            workers = cluster.State.Members
                .Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterNodeOptions.WellKnownRoles.Worker))
                .OrderBy(m => m.Address == cluster.SelfAddress ? 0 : 1)
                .ThenBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();
            if (workers.Count >= minWorkers) break;
            if (DateTime.UtcNow >= deadline)
            {
                var present = string.Join(", ", cluster.State.Members.Select(m => $"{m.Address} {m.Status} [{string.Join(",", m.Roles)}]"));
                throw new RunFailedException(string.Create(CultureInfo.InvariantCulture,
                    $"only {workers.Count} of the {minWorkers} worker nodes needed were up after {timeout.TotalSeconds:F0} s (members: {(present.Length == 0 ? "none" : present)})"));
            }

            // Membership changes arrive as gossip; a short poll keeps this simple and still waits on the condition.
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        var nodes = new List<WorkerNode>(workers.Count);
        foreach (var member in workers)
        {
            var path = new RootActorPath(member.Address) / "user" / NodeAgent.Name;
            try
            {
                var agent = await system.ActorSelection(path).ResolveOne(Remaining(deadline), cancellationToken).ConfigureAwait(false);
                nodes.Add(new WorkerNode(member.Address.ToString(), agent) { Tags = WorkerNode.TagsOf(member.Roles) });
            }
            catch (ActorNotFoundException)
            {
                throw new RunFailedException($"worker {member.Address} has no node agent at {path} (is it an akkattfs node?)");
            }
        }

        return nodes;
    }

    /// <summary>
    /// Starts this process's long-lived coordinator at /user/coordinator (one per coordinator process; a second
    /// call throws) and returns the handle that submits jobs to it. <paramref name="trainer"/> trains the models
    /// of jobs that ask for training (null: such jobs fail at once, saying so); it is injected so that this
    /// assembly never references the training stack.
    /// </summary>
    public static CoordinatorHandle StartCoordinator(ActorSystem system, ITrainer? trainer)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new CoordinatorHandle(system, system.ActorOf(Coordinator.CreateProps(trainer), Coordinator.Name));
    }

    /// <summary>Runs a request on the given workers and returns its outcome (or throws <see cref="RunFailedException"/>).</summary>
    /// <remarks>One run, without the long-lived coordinator: the model, plan and inputs are ready and the workers known.</remarks>
    /// <exception cref="Core.Faults.FaultPlanException">The request's fault plan does not fit its model (thrown before the run starts).</exception>
    public static Task<RunOutcome> RunAsync(ActorSystem system, RunRequest request, IReadOnlyList<WorkerNode> workers, IProgress<RunProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(workers);
        Validate(system, request, workers);
        var outcome = new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(RunCoordinator.CreateProps(request, workers, outcome, progress), "run-" + NodeAgent.ChildName(request.RunId, 0));
        return outcome.Task;
    }

    /// <summary>Checks a request against its workers before anything is spawned; throws naming what does not fit.</summary>
    internal static void Validate(ActorSystem system, RunRequest request, IReadOnlyList<WorkerNode> workers)
    {
        if (workers.Count == 0) throw new RunFailedException("no worker nodes to run on");
        _ = Place(system, request, workers);     // a placement file that fits no node fails here, naming the pin
        // A plan that does not fit the model fails here, naming the entry, before anything is spawned.
        request.Faults?.Validate(request.Model.Network);
        if (request.Faults is not { Runtime.Count: > 0 } plan) return;
        var self = AkkaCluster.Get(system).SelfAddress.ToString();
        var coordinatorNode = workers.Select(w => w.Address).ToList().IndexOf(self);
        RuntimeFault.ValidateAll(plan.Runtime, request.Plan.Partitions.Count, workers.Count, coordinatorNode, request.Options.MaxRestarts);
        // Every node of a cluster runs with the throttler adapter or none does (their address schemes differ),
        // so this node tells whether cuts and kills can be applied: refuse now rather than mid-run.
        var needsAdapter = plan.Runtime.Select((f, i) => (f, i)).FirstOrDefault(x => x.f.Kind != RuntimeFaultKind.CrashPartition);
        if (needsAdapter.f is not null && !LinkFaults.IsAvailable(system))
        {
            throw new FaultPlanException(
                $"fault plan runtime entry {needsAdapter.i} (runtime[{needsAdapter.i}]): a {needsAdapter.f.KindName} needs the throttler adapter on every node, " +
                "and this cluster runs without it: start the nodes with --fault-injection (akkattfs node --fault-injection, run/simulate --seed ... --fault-injection)");
        }

        // Partitions take a crash command only on a node with fault injection; this node stands for all (see above).
        var crash = plan.Runtime.Select((f, i) => (f, i)).FirstOrDefault(x => x.f.Kind == RuntimeFaultKind.CrashPartition);
        if (crash.f is not null && !system.Settings.Config.GetBoolean(Actors.NodeAgent.FaultInjectionKey, false))
        {
            throw new FaultPlanException(
                $"fault plan runtime entry {crash.i} (runtime[{crash.i}]): a crash needs every node to run with fault injection (partitions refuse crash commands otherwise), " +
                "and this cluster runs without it: start the nodes with --fault-injection (akkattfs node --fault-injection, run/simulate --seed ... --fault-injection)");
        }
    }

    /// <summary>The node index of every partition: Core's placement of the request's choice over these workers (the injector is this node's index, or -1).</summary>
    internal static int[] Place(ActorSystem system, RunRequest request, IReadOnlyList<WorkerNode> workers)
    {
        var self = AkkaCluster.Get(system).SelfAddress.ToString();
        var injector = workers.Select(w => w.Address).ToList().IndexOf(self);
        return request.Placement.Assign(request.Plan, [.. workers.Select(w => w.ForPlacement)], injector, request.Traffic);
    }

    private static TimeSpan Remaining(DateTime deadline)
    {
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.FromSeconds(5) ? left : TimeSpan.FromSeconds(5);
    }
}
