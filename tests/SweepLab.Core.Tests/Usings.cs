namespace SweepLab.Core.Tests;
