Console.WriteLine("SweepLab benchmarks");
