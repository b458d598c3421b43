namespace SweepLab.Cli;

/// <summary>A type to find this assembly by (architecture tests); the program itself is top-level.</summary>
public static class CliMarker;
