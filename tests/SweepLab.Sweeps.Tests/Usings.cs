namespace SweepLab.Sweeps.Tests;
