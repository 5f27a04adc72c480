namespace AkkaTtfs.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.WriteLine("akkattfs: commands are being built; see README.md");
        return args.Length == 0 ? 0 : 1;
    }
}
