// The notebooks are run as whole programs (dotnet run, a Jupyter kernel) and each run uses both cores for a while:
// the tests of this project run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace SweepLab.Notebooks.Tests;
