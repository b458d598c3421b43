using SweepLab.Compute;

namespace SweepLab.Cli;

/// <summary>Opens the compute device a command asked for and says which one it got.</summary>
internal static class Devices
{
    public static ComputeBackend Parse(string name) => name.ToLowerInvariant() switch
    {
        "auto" => ComputeBackend.Auto,
        "cuda" => ComputeBackend.Cuda,
        "opencl" => ComputeBackend.OpenCL,
        "pocl" => ComputeBackend.Pocl,
        "cpu" => ComputeBackend.Cpu,
        _ => throw new UserInputException($"--device: '{name}' is not auto, cuda, opencl, pocl or cpu"),
    };

    public static ComputeDevice Open(string name)
    {
        var device = ComputeDevice.Create(Parse(name));
        foreach (string warning in device.Warnings) Console.Error.WriteLine($"warning: {warning}");
        ProgressDisplay.Current.Message($"device: {device}"); // warnings above are printed even with --quiet
        return device;
    }
}
