namespace SweepLab.Reports.Tests;
