// Notebook cells run with the working directory set to the notebook's folder (a process-wide setting), so the
// notebook tests must not run in parallel with each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace SweepLab.Notebooks.Tests;
