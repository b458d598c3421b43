namespace SweepLab.Sweeps;
