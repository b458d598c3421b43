using SweepLab.Compute;
using SweepLab.Engine.Configuration;
using SweepLab.Engine.Schedules;

namespace SweepLab.Engine;

public sealed partial class ClassificationEngine
{
    /// <summary>
    /// Everything one run of a lockstep group owns: its schedules, what it has learnt so far (maps, priors, noise,
    /// likelihood limit), its device sums and reconstruction stack, and its solvent mask. The steps read and update
    /// only this and the group's <see cref="SharedModel"/>, so a run's result never depends on its companions.
    /// </summary>
    private sealed class RunState : IDisposable
    {
        public RunState(ClassificationConfig config, int runIndex, int volumeOffset, int particles, ClassificationKernels kernels)
        {
            Config = config;
            RunIndex = runIndex;
            VolumeOffset = volumeOffset;
            Schedule = RunSchedule.FromConfig(config, particles);
            InitialSimilarity = config.ClassSimilarity;
            Priors = Enumerable.Repeat(1.0 / config.ClassCount, config.ClassCount).ToArray();
            LastClass = Enumerable.Repeat(-1, particles).ToArray();
            Maps = new float[config.ClassCount][];
            BackprojectionSums? running = null, batchSums = null;
            try
            {
                running = kernels.CreateSums(config.ClassCount);
                batchSums = kernels.CreateSums(config.ClassCount);
                Reconstruction = kernels.CreateVolumes(config.ClassCount);
            }
            catch
            {
                running?.Dispose();
                batchSums?.Dispose();
                throw;
            }
            Running = running;
            BatchSums = batchSums;
            DownloadBuffer = new float[(long)config.ClassCount * Reconstruction.FloatsPerVolume];
            SpareMaps = new float[config.ClassCount][];
        }

        public ClassificationConfig Config { get; }
        /// <summary>The run's position in the caller's list, as the observer names it.</summary>
        public int RunIndex { get; }
        /// <summary>Index of the run's first class in the group's shared volume stack (the E-step's residual pass).</summary>
        public int VolumeOffset { get; }
        public int K => Config.ClassCount;
        public int[] VolumeIndices => Enumerable.Range(VolumeOffset, K).ToArray();
        public RunSchedule Schedule { get; set; }
        public double InitialSimilarity { get; set; }
        public double[] Priors { get; set; }
        /// <summary>Each particle's hard class at its last visit (-1 = not seen yet), for fraction_changed.</summary>
        public int[] LastClass { get; }
        public List<IterationMetrics> Iterations { get; } = new();
        public bool Active { get; set; } = true;
        public bool StoppedEarly { get; set; }
        public int? ConvergenceIteration { get; set; }
        public IterationPlan? LastPlan { get; set; }

        /// <summary>Running sufficient statistics (numerator and CTF^2 weights), on the full data's scale.</summary>
        public BackprojectionSums Running { get; }
        /// <summary>This iteration's batch backprojection, before it is blended into <see cref="Running"/>.</summary>
        public BackprojectionSums BatchSums { get; }
        /// <summary>The M-step's output maps, before masking and upload into the shared stack.</summary>
        public VolumeStack Reconstruction { get; }
        /// <summary>The current class maps on the host, pre-corrected for projection (as uploaded to the shared stack).</summary>
        public float[][] Maps { get; }
        /// <summary>Host copy of <see cref="Reconstruction"/>, reused every iteration.</summary>
        public float[] DownloadBuffer { get; }
        /// <summary>The next maps are built here, then swapped with <see cref="Maps"/>: no map-sized allocation per iteration.</summary>
        public float[][] SpareMaps { get; }

        /// <summary>The real-space solvent mask (null = none).</summary>
        public float[]? Mask { get; init; }
        /// <summary>Radius of the mask's sphere in Angstrom (0 = none, NaN = a mask file).</summary>
        public double MaskRadiusAngstrom { get; init; }
        /// <summary>Mask times the reconstruction's gridding correction, applied to every new map in one real-space pass.</summary>
        public float[] ReconstructionFactor { get; init; } = [];

        /// <summary>The noise spectrum sigma^2 per shell this run's likelihood uses now (see noise_update).</summary>
        public double[] Noise { get; set; } = [];
        /// <summary>Last shell the likelihood uses now (see resolution_schedule).</summary>
        public int LikelihoodShell { get; set; }
        /// <summary>The limit the grow schedule chose at the last M-step, taken up after the maps are updated.</summary>
        public int NextLikelihoodShell { get; set; }
        /// <summary>1/sigma^2 per shell, zero outside the likelihood's shells; runs on the static, fixed model share one array.</summary>
        public float[] Weights { get; set; } = [];
        /// <summary>Shell power of each class's current map (tau2_source = class_map).</summary>
        public double[][] Tau2 { get; set; } = [];
        public bool UsesSharedWeights => Config.NoiseUpdate == NoiseUpdate.Static && Config.ResolutionSchedule == ResolutionSchedule.Fixed;

        public void Dispose()
        {
            Running.Dispose();
            BatchSums.Dispose();
            Reconstruction.Dispose();
        }
    }

    /// <summary>
    /// What every run of a lockstep group shares: the particle statistics of its regularisation constant, the likelihood
    /// weights of the static noise model at the fixed limit, the consensus Wiener regulariser, and the volume stack that
    /// holds every run's classes for the shared residual pass.
    /// </summary>
    private sealed record SharedModel(ParticleStatistics Statistics, float[] StaticWeights, float[] ConsensusRegulariser, VolumeStack Volumes);
}
