using System.Runtime.InteropServices;

namespace AkkaTtfs.Core.IO;

/// <summary>What a path names on disk, as the kernel sees it (symbolic links followed unless said otherwise).</summary>
public enum FileKind
{
    /// <summary>Nothing of that name (or a component of the path is not a folder).</summary>
    Missing,

    /// <summary>A regular file: the only kind that is read, or replaced through a temporary file and a rename.</summary>
    Regular,

    Directory,

    /// <summary>A character device: /dev/null, /dev/full, /dev/zero, a terminal.</summary>
    CharacterDevice,

    /// <summary>A block device: a disk or a partition.</summary>
    BlockDevice,

    /// <summary>A FIFO (named pipe), also what /dev/stdout or /dev/fd/N name when they lead to a pipe.</summary>
    Fifo,

    Socket,

    /// <summary>A symbolic link (only reported when links are not followed).</summary>
    SymbolicLink,

    /// <summary>The kind could not be found out (permission denied on a folder, a link loop); <see cref="FileStatus.Error"/> says why.</summary>
    Unknown,
}

/// <summary>Kind, size and identity of a path; <see cref="Error"/> is set when the kind is <see cref="FileKind.Unknown"/>.</summary>
internal readonly record struct FileStatus(FileKind Kind, long Size, ulong Device, ulong Inode, string? Error)
{
    /// <summary>True when both name the same file (same device and inode); false when either identity is unknown.</summary>
    public bool SameFileAs(FileStatus other) => Inode != 0 && Device == other.Device && Inode == other.Inode;
}

/// <summary>
/// Asks the kernel what a path is. .NET tells a FIFO, a device, a socket and a regular file apart nowhere in
/// its public API (all are "Normal" files of length 0), and opening a FIFO to look blocks until a writer
/// comes, so the kind is read with statx(2), whose buffer layout is the same on every Linux architecture.
/// Elsewhere (or on a libc without statx) a portable guess is used: folders and files as .NET sees them,
/// and anything under /dev or /proc taken for a character device.
/// </summary>
internal static class FileProbe
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int WriteOk = 2;

    // errno values (Linux).
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ELOOP = 40;

    private static bool _nativeUnavailable = !OperatingSystem.IsLinux();

    /// <summary>The status of <paramref name="path"/>, following symbolic links.</summary>
    public static FileStatus Stat(string path) => Probe(path, followLinks: true);

    /// <summary>The status of <paramref name="path"/> itself: a symbolic link is reported as one.</summary>
    public static FileStatus LinkStat(string path) => Probe(path, followLinks: false);

    /// <summary>
    /// Whether this process may write <paramref name="path"/> (access(2) with W_OK). True when it cannot be
    /// asked: the write itself then fails and is reported.
    /// </summary>
    public static bool CanWrite(string path)
    {
        if (_nativeUnavailable)
            return true;
        try
        {
            return NativeMethods.Access(path, WriteOk) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _nativeUnavailable = true;
            return true;
        }
    }

    /// <summary>The kind in words, for messages: "a FIFO (named pipe)", "a character device".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device (a disk or partition)",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a file of unknown kind",
    };

    private static FileStatus Probe(string path, bool followLinks)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!_nativeUnavailable)
        {
            try
            {
                return Statx(path, followLinks);
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                _nativeUnavailable = true;
            }
        }

        return Guess(path, followLinks);
    }

    private static FileStatus Statx(string path, bool followLinks)
    {
        var rc = NativeMethods.Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, out var buffer);
        if (rc != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                ENOENT or ENOTDIR => new FileStatus(FileKind.Missing, 0, 0, 0, null),
                ELOOP => new FileStatus(FileKind.Unknown, 0, 0, 0, "too many levels of symbolic links (a link loop?)"),
                _ => new FileStatus(FileKind.Unknown, 0, 0, 0, Marshal.GetPInvokeErrorMessage(errno)),
            };
        }

        var kind = (buffer.Mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Unknown,
        };
        var device = ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor;
        return new FileStatus(kind, (long)buffer.Size, device, buffer.Inode, kind == FileKind.Unknown ? "an unknown file type" : null);
    }

    private static FileStatus Guess(string path, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null)
            return new FileStatus(FileKind.SymbolicLink, 0, 0, 0, null);
        if (Directory.Exists(path))
            return new FileStatus(FileKind.Directory, 0, 0, 0, null);
        if (!info.Exists)
            return new FileStatus(FileKind.Missing, 0, 0, 0, null);
        var full = Path.GetFullPath(path);
        var special = full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal);
        return new FileStatus(special ? FileKind.CharacterDevice : FileKind.Regular, special ? 0 : info.Length, 0, 0, null);
    }

    /// <summary>The leading fields of struct statx (linux/stat.h); the kernel fills 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }

    private static class NativeMethods
    {
        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

        [DllImport("libc", EntryPoint = "access", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);
    }
}
