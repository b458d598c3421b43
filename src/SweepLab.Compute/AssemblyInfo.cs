namespace SweepLab.Compute;
