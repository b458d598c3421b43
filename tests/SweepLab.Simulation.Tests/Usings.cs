namespace SweepLab.Simulation.Tests;
