namespace SweepLab.Formats.Tests;
