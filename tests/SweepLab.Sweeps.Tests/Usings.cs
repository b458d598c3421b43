global using SweepLab.Sweeps;

namespace SweepLab.Sweeps.Tests;
