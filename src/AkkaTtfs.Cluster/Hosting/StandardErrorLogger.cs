using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace AkkaTtfs.Cluster.Hosting;

/// <summary>
/// Akka's log lines on standard error, not standard output: stdout carries what the commands print
/// (reports, the "node up at" line scripts read), and a log line in the middle of a report corrupts it.
/// Applies the actor system's log filters (<see cref="RemotingNoiseFilter"/>) as Akka's own loggers do.
/// Configured in base.conf (<c>akka.loggers</c>).
/// </summary>
public sealed class StandardErrorLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StandardErrorLogger()
    {
        var filter = Context.System.Settings.LogFilter;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            if (filter.ShouldTryKeepMessage(e, out _)) Console.Error.WriteLine(e.ToString());
        });
    }
}
