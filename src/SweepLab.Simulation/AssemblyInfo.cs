namespace SweepLab.Simulation;
