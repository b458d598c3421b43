using SweepLab.Engine.Configuration;

namespace SweepLab.Engine.Tests.Configuration;

/// <summary>The knob declarations: each is parsed, printed and checked from its one entry.</summary>
public class KnobsTests
{
    [Fact]
    public void Every_key_is_declared_once_and_every_property_has_a_knob()
    {
        var keys = Knobs.All.Select(k => k.Key).ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(Knobs.All.Count, Knobs.All.Select(k => k.Option).Distinct().Count());
        var constants = typeof(ClassificationConfig.Keys).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet();
        Assert.Equal(constants.OrderBy(k => k, StringComparer.Ordinal), keys.OrderBy(k => k, StringComparer.Ordinal));
        // every settable property of the config is some knob's: a property without a knob would never reach a sweep
        int settable = typeof(ClassificationConfig).GetProperties().Count(p => p.SetMethod is not null);
        Assert.Equal(settable, Knobs.All.Count);
    }

    [Fact]
    public void Every_knobs_canonical_text_parses_back_to_the_same_value()
    {
        var changed = ClassificationConfigTests.OneChangePerKey().Select(row => ((string)row[0], (ClassificationConfig)row[1])).ToList();
        Assert.Equal(Knobs.All.Select(k => k.Key).OrderBy(k => k), changed.Select(c => c.Item1).OrderBy(k => k));
        foreach (var (key, config) in changed)
        {
            var knob = Knobs.Find(key)!;
            string text = knob.Format(config);
            Assert.NotEqual(knob.DefaultText, text);
            Assert.Equal(config, knob.Parse(new ClassificationConfig(), text));
        }
    }
}
