namespace SweepLab.Reports;
