namespace SweepLab.Cli.Tests;

/// <summary>The three display modes: a live line rewritten in place, throttled plain lines, and nothing.</summary>
public class ProgressDisplayTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Live_mode_rewrites_one_line_and_prints_messages_above_it()
    {
        var text = new StringWriter();
        using (var display = new ProgressDisplay(text, ProgressDisplay.DisplayMode.Live, TimeSpan.FromSeconds(10)))
        {
            display.Status("runs 1/3 done");
            display.Status("runs 2/3 done");
            display.Message("device: cpu");
            display.Status("runs 3/3 done");
        }
        string s = text.ToString();
        Assert.Equal(2, s.Count(c => c == '\n')); // the message's line and the final newline: statuses share one line
        Assert.Contains("\rruns 2/3 done", s);
        Assert.Contains("device: cpu\n", s);
        Assert.EndsWith("runs 3/3 done\n", s);
    }

    [Fact]
    public void Plain_mode_prints_a_status_at_most_every_interval_and_always_the_final_one()
    {
        var text = new StringWriter();
        var clock = new ManualClock();
        var display = new ProgressDisplay(text, ProgressDisplay.DisplayMode.Lines, TimeSpan.FromSeconds(10), clock);
        for (int i = 1; i <= 100; i++)
        {
            clock.Now += TimeSpan.FromSeconds(1);
            display.Status($"runs {i}/100 done", final: i == 100);
        }
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(11, lines.Length); // seconds 1, 11, ..., 91, and the final one at 100
        Assert.Equal("runs 1/100 done", lines[0]);
        Assert.Equal("runs 11/100 done", lines[1]);
        Assert.Equal("runs 100/100 done", lines[^1]);
        Assert.DoesNotContain('\r', text.ToString());
    }

    [Fact]
    public void Quiet_mode_prints_nothing()
    {
        var text = new StringWriter();
        using (var display = new ProgressDisplay(text, ProgressDisplay.DisplayMode.Quiet, TimeSpan.Zero))
        {
            display.Status("runs 1/1 done", final: true);
            display.Message("device: cpu");
        }
        Assert.Equal("", text.ToString());
    }
}
