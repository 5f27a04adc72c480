using System.Text;

namespace AkkaTtfs.Core.IO;

/// <summary>
/// Opens the files the program reads (model files, datasets, fault plans) only if they are regular files,
/// and reads them only up to the size they can have. A FIFO would block the open until some writer comes,
/// and a device such as /dev/zero or /dev/urandom never ends: both are refused before they are opened,
/// with one line naming the path and what it is. Symbolic links are followed.
/// </summary>
public static class InputFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Opens <paramref name="path"/> for reading if it is a regular file; otherwise throws an
    /// <see cref="InputFileException"/> naming <paramref name="what"/> ("model file"), the path and what it is.
    /// </summary>
    public static FileStream OpenRead(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(what);
        var status = FileProbe.Stat(path);
        if (status.Kind != FileKind.Regular)
            throw new InputFileException(what, path, status.Kind, NotRegular(path, status));
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputFileException(what, path, FileKind.Missing, "does not exist", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException(what, path, FileKind.Regular, $"cannot be opened: {e.Message}", e);
        }
    }

    /// <summary>The whole of a regular file of at most <paramref name="maxLength"/> bytes.</summary>
    public static byte[] ReadAllBytes(string path, string what, long maxLength)
    {
        using var stream = OpenRead(path, what);
        return ReadToEnd(stream, path, what, maxLength);
    }

    /// <summary>
    /// The whole of a regular file of at most <paramref name="maxLength"/> bytes as UTF-8 text (a leading
    /// byte-order mark is skipped); bytes that are not UTF-8 are refused, not replaced.
    /// </summary>
    public static string ReadAllText(string path, string what, long maxLength)
    {
        var bytes = ReadAllBytes(path, what, maxLength);
        var start = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputFileException(what, path, FileKind.Regular, $"is not UTF-8 text (invalid bytes at offset {e.Index + start}, line {1 + bytes.AsSpan(0, Math.Clamp(e.Index + start, 0, bytes.Length)).Count((byte)'\n')})", e);
        }
    }

    /// <summary>
    /// Reads <paramref name="stream"/> to its end, refusing it as soon as it holds more than
    /// <paramref name="maxLength"/> bytes; a length the stream reports is checked before anything is read
    /// (files in /proc report 0 and are caught by the bounded read instead).
    /// </summary>
    public static byte[] ReadToEnd(Stream stream, string path, string what, long maxLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        maxLength = Math.Min(maxLength, Array.MaxLength);
        if (stream.CanSeek && stream.Length - stream.Position is var remaining and > 0)
        {
            if (remaining > maxLength)
                throw TooLarge(path, what, remaining, maxLength);

            // The stated length, read straight into its array (a model's data section can be gigabytes: no copy).
            var exact = new byte[remaining];
            var filled = stream.ReadAtLeast(exact, exact.Length, throwOnEndOfStream: false);
            Span<byte> probe = stackalloc byte[1];
            if (filled == exact.Length && stream.Read(probe) == 0)
                return exact;
            if (filled < exact.Length)
                return exact[..filled];   // shrank while being read: what is there is checked by the caller
            throw new InputFileException(what, path, FileKind.Regular, $"grew past its length of {remaining:N0} bytes while it was being read");
        }

        using var copy = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, maxLength + 1 - copy.Length))) > 0)
        {
            copy.Write(buffer, 0, read);
            if (copy.Length > maxLength)
                throw TooLarge(path, what, null, maxLength);
        }

        return copy.ToArray();
    }

    /// <summary>Why a path that is not a regular file cannot be read, in words.</summary>
    internal static string NotRegular(string path, FileStatus status) => status.Kind switch
    {
        FileKind.Missing => MissingProblem(path),
        FileKind.Directory => "is a folder, not a file",
        FileKind.Fifo => "is a FIFO (named pipe), not a regular file; reading it would wait for a writer, perhaps forever",
        FileKind.CharacterDevice => "is a character device, not a regular file; a device such as /dev/zero never ends",
        FileKind.Unknown => $"cannot be examined: {status.Error}",
        _ => $"is {FileProbe.Describe(status.Kind)}, not a regular file",
    };

    private static string MissingProblem(string path)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is null || FileProbe.Stat(folder).Kind == FileKind.Directory)
            return "does not exist";
        return $"does not exist (there is no folder {folder})";
    }

    private static InputFileException TooLarge(string path, string what, long? length, long maxLength)
    {
        var size = length is { } known ? $"is {known:N0} bytes, more than" : "holds more than";
        return new InputFileException(what, path, FileKind.Regular, $"{size} the {maxLength:N0} bytes a {what} can be");
    }
}
