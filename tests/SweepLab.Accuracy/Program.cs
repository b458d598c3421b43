using SweepLab.Accuracy;
using SweepLab.Engine.Configuration;

// SweepLab's accuracy on particles it did not make: the RELION corpus (tests/Shared/RelionCorpus.cs), with the
// oracle, RELION 3.1 and SweepLab side by side. See experiments/07-relion-corpus/README.md.
AccuracyOptions options;
try
{
    options = AccuracyOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (!RelionTool.Available)
{
    Console.Error.WriteLine($"the corpus is made by RELION: {RelionTool.SkipReason}; scripts/install-deps.sh installs it");
    return 2;
}

try
{
    return options.Command == "corpus" ? AccuracyTable.Corpus(options) : AccuracyTable.Table(options);
}
catch (ConfigValidationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
