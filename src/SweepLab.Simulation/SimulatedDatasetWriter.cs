namespace SweepLab.Simulation;

/// <summary>Writes a simulated dataset as a user would get it from RELION or cryoSPARC.</summary>
public static partial class SimulatedDatasetWriter
{
    public const string StackFileName = "particles.mrcs";
    public const string StarFileName = "particles.star";
    public const string CryoSparcFileName = "particles.cs";
    public const string TruthFileName = "truth.csv";
}
