namespace SweepLab.Engine;
