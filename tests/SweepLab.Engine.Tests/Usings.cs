namespace SweepLab.Engine.Tests;
