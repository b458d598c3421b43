namespace SweepLab.Notebooks.Tests;
