namespace AkkaTtfs.Core.Model;

/// <summary>A model file that cannot be read: the message names the file and what is wrong with it.</summary>
public sealed class ModelFileException : Exception
{
    /// <summary>Failure of <paramref name="fileName"/>; the message reads "model file 'name': problem".</summary>
    public ModelFileException(string fileName, string problem, Exception? innerException = null)
        : base($"model file '{fileName}': {problem}", innerException)
    {
        FileName = fileName;
        Problem = problem;
    }

    /// <summary>The path or source name of the file that failed.</summary>
    public string FileName { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}
