using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Runtime.OpenCL;

namespace SweepLab.Compute;

/// <summary>
/// The three steps that make ILGPU 1.5.x's OpenCL backend run on PoCL 3.x (Debian 12), measured in DESIGN.md:
/// map the native name "OpenCL" to libOpenCL.so.1, claim generic address space support for PoCL &lt; 4 by
/// reflection, and pass <c>-D__generic=__global -cl-unsafe-math-optimizations</c> to PoCL's compiler through the
/// native environment. PoCL 4+ needs only the library mapping (and keeps the reassociation flag for speed).
/// </summary>
internal static partial class PoclSupport
{
    /// <summary>The environment variable PoCL appends to every kernel build's options.</summary>
    public const string ExtraBuildFlagsVariable = "POCL_EXTRA_BUILD_FLAGS";
    /// <summary>Maps OpenCL C 2.0's generic pointers onto global ones (ILGPU only ever passes global views).</summary>
    public const string GenericAsGlobalFlag = "-D__generic=__global";
    /// <summary>Lets PoCL reassociate and vectorise float sums: 53 instead of 15-21 GFLOP/s here.</summary>
    public const string UnsafeMathFlag = "-cl-unsafe-math-optimizations";
    /// <summary>The ILGPU-internal capability member set by reflection; pinned ILGPU 1.5.3 has it.</summary>
    public const string GenericAddressSpaceMember = "GenericAddressSpace";

    private const int ClPlatformVersion = 0x0901;
    private static readonly object Gate = new();
    private static bool _resolverInstalled;
    private static string? _resolverWarning;

    /// <summary>True for a PoCL device (by platform name, as clinfo shows it).</summary>
    public static bool IsPocl(CLDevice device) =>
        device.PlatformName.Contains("Portable Computing Language", StringComparison.OrdinalIgnoreCase)
        || device.PlatformName.Contains("pocl", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Installs (once per process) a resolver on ILGPU's assembly that maps "OpenCL" to libOpenCL.so.1: only the
    /// -dev package provides the unversioned libOpenCL.so, so without it ILGPU sees no OpenCL platform at all.
    /// Returns a warning when another resolver was already installed by the host application.
    /// </summary>
    public static string? EnsureOpenClResolver()
    {
        lock (Gate)
        {
            if (_resolverInstalled) return _resolverWarning;
            _resolverInstalled = true;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, ResolveOpenCl);
            }
            catch (InvalidOperationException)
            {
                _resolverWarning = "a native library resolver was already installed on ILGPU's assembly; OpenCL is resolved by it";
            }
            return _resolverWarning;
        }
    }

    private static IntPtr ResolveOpenCl(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != "OpenCL") return IntPtr.Zero;
        foreach (string candidate in OperatingSystem.IsWindows()
                     ? new[] { "OpenCL.dll" }
                     : new[] { "libOpenCL.so.1", "libOpenCL.so", "/System/Library/Frameworks/OpenCL.framework/OpenCL" })
        {
            if (NativeLibrary.TryLoad(candidate, out IntPtr handle)) return handle;
        }
        return IntPtr.Zero;
    }

    /// <summary>PoCL's own version (major, minor) from CL_PLATFORM_VERSION ("OpenCL 3.0 PoCL 3.1+debian ..."), or null.</summary>
    public static (int Major, int Minor)? PoclVersion(CLDevice device)
    {
        string? text = PlatformVersionString(device.PlatformId);
        return text is null ? null : ParsePoclVersion(text);
    }

    /// <summary>Parses "PoCL X.Y" out of a platform version string; null when absent.</summary>
    public static (int Major, int Minor)? ParsePoclVersion(string platformVersion)
    {
        Match m = PoclVersionPattern().Match(platformVersion);
        if (!m.Success) return null;
        return (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"PoCL\s+(\d+)\.(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex PoclVersionPattern();

    private static unsafe string? PlatformVersionString(IntPtr platform)
    {
        IntPtr library = ResolveOpenCl("OpenCL", typeof(PoclSupport).Assembly, null);
        if (library == IntPtr.Zero || !NativeLibrary.TryGetExport(library, "clGetPlatformInfo", out IntPtr export)) return null;
        var getPlatformInfo = (delegate* unmanaged<IntPtr, int, nuint, byte*, nuint*, int>)export;
        nuint size = 0;
        if (getPlatformInfo(platform, ClPlatformVersion, 0, null, &size) != 0 || size == 0) return null;
        byte[] buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            if (getPlatformInfo(platform, ClPlatformVersion, size, p, null) != 0) return null;
        }
        return Encoding.UTF8.GetString(buffer).TrimEnd('\0');
    }

    /// <summary>
    /// Sets the named boolean capability of ILGPU's internal <c>CLCapabilityContext</c> to true. Returns null on
    /// success, or a warning naming what was not found (a newer ILGPU may have renamed it).
    /// </summary>
    public static string? EnableCapability(object capabilities, string memberName)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        Type type = capabilities.GetType();
        try
        {
            PropertyInfo? property = type.GetProperty(memberName, flags);
            if (property is not null && property.PropertyType == typeof(bool))
            {
                MethodInfo? setter = property.GetSetMethod(nonPublic: true);
                if (setter is not null)
                {
                    setter.Invoke(capabilities, new object[] { true });
                    return (bool)property.GetValue(capabilities)! ? null : $"{type.Name}.{memberName} did not change when set";
                }
            }
            FieldInfo? field = type.GetField($"<{memberName}>k__BackingField", flags) ?? type.GetField(memberName, flags);
            if (field is not null && field.FieldType == typeof(bool))
            {
                field.SetValue(capabilities, true);
                return null;
            }
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or ArgumentException)
        {
            return $"setting {type.Name}.{memberName} by reflection failed: {e.Message}";
        }
        return $"{type.FullName} has no settable boolean member '{memberName}' (ILGPU changed?); PoCL < 4 kernels may fail to build";
    }

    /// <summary>
    /// Puts the PoCL build flags into the native environment (libc setenv; .NET's own environment copy does not
    /// reach PoCL). A user-provided value is kept and the missing flags are appended to it. Returns a warning when
    /// the native environment cannot be written.
    /// </summary>
    public static string? EnsureBuildFlags(bool genericAsGlobal)
    {
        lock (Gate)
        {
            if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()))
                return $"{ExtraBuildFlagsVariable} not set: no libc setenv on this OS; PoCL kernels build without {UnsafeMathFlag}";
            try
            {
                string current = NativeGetEnvironment(ExtraBuildFlagsVariable) ?? "";
                string updated = AppendFlags(current, genericAsGlobal ? new[] { GenericAsGlobalFlag, UnsafeMathFlag } : new[] { UnsafeMathFlag });
                if (updated != current && NativeLibc.setenv(ExtraBuildFlagsVariable, updated, 1) != 0)
                    return $"setenv({ExtraBuildFlagsVariable}) failed";
                return null;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return $"{ExtraBuildFlagsVariable} not set: {e.Message}";
            }
        }
    }

    /// <summary>Appends each flag not already present (as a whole word) to a space-separated option string.</summary>
    public static string AppendFlags(string current, IEnumerable<string> flags)
    {
        var words = current.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        var result = new StringBuilder(current.Trim());
        foreach (string flag in flags)
        {
            if (words.Contains(flag)) continue;
            if (result.Length > 0) result.Append(' ');
            result.Append(flag);
            words.Add(flag);
        }
        return result.ToString();
    }

    /// <summary>Reads the native (libc) environment, which is what PoCL sees.</summary>
    public static string? NativeGetEnvironment(string name)
    {
        IntPtr value = NativeLibc.getenv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }

    private static partial class NativeLibc
    {
        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int setenv(string name, string value, int overwrite);

        [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial IntPtr getenv(string name);
    }
}
