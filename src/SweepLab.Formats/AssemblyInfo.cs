namespace SweepLab.Formats;
