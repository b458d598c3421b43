namespace SweepLab.Engine.Configuration;

/// <summary>How the K starting volumes are made.</summary>
public enum InitialisationMode
{
    /// <summary>Each class reconstructed from its own random subset of init_subset_size particles (cryoSPARC "simple").</summary>
    Simple,
    /// <summary>Volumes supplied by the user, one per class.</summary>
    InputVolumes,
    /// <summary>pca_reconstruction_count subset reconstructions, projected on their first pca_component_count principal
    /// components and clustered into K groups whose means start the classes (cryoSPARC "PCA").</summary>
    Pca,
}

/// <summary>
/// How class similarity s modifies the E-step posteriors. Public sources fix only the end points (s = 1: every
/// particle in every class equally; s = 0: the computed posteriors as they are), so both readings are offered for
/// sweeps to compare; see <see cref="SweepLab.Engine.Posteriors.ClassPosterior"/> for the formulas.
/// </summary>
public enum SimilarityModel
{
    /// <summary>Tempered likelihood: p_k proportional to pi_k exp((1 - s) L_k).</summary>
    Tempered,
    /// <summary>Mixture with the uniform distribution: p_k = (1 - s) posterior_k + s / K.</summary>
    Mixture,
}

/// <summary>Noise variance model of the Gaussian likelihood.</summary>
public enum NoiseModel
{
    /// <summary>One variance per Fourier shell (radius), estimated from the data, as RELION and cryoSPARC do.</summary>
    Coloured,
    /// <summary>One variance for all Fourier pixels (the shell variances averaged, weighted by pixel count).</summary>
    White,
}

/// <summary>Random-stream numbers of the engine: each use of randomness draws from its own stream of <see cref="SweepLab.Core.Random.CounterRng"/>.</summary>
public static class EngineRngStreams
{
    /// <summary>Per-epoch particle permutations of online EM (index = epoch, draw = position).</summary>
    public const uint BatchPermutation = 0x42415443; // "BATC"
    /// <summary>Particle subsets of simple and PCA initialisation (index = subset, draw = position).</summary>
    public const uint InitialisationSubsets = 0x494E4954; // "INIT"
}
