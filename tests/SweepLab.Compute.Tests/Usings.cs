namespace SweepLab.Compute.Tests;
