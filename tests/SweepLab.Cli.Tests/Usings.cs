namespace SweepLab.Cli.Tests;
