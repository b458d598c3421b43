using System.Diagnostics;
using SweepLab.Cli.Sweeping;

namespace SweepLab.Cli.Tests.Slurm;

public class SlurmTemplateTests
{
    private static Dictionary<string, string> Values(string partition = "", string gpus = "", string modules = "") => new()
    {
        ["job_name"] = "sweeplab-x",
        ["partition"] = partition,
        ["cpus"] = "4",
        ["gpus"] = gpus,
        ["modules"] = modules,
        ["log_file"] = "/d/slurm/logs/task-%A_%a.out",
        ["sweep_dir"] = "/d",
        ["command"] = "run-it",
    };

    [Fact]
    public void LinesWithAnEmptyPlaceholderAreLeftOut()
    {
        const string template = "#!/bin/bash\n#SBATCH --partition={{ partition }}\n#SBATCH -c {{cpus}}\n{{ modules }}\n{{ command }} --x\n";
        Assert.Equal("#!/bin/bash\n#SBATCH -c 4\nrun-it --x\n", SlurmTemplate.Render(template, "t.sh", Values()));
        Assert.Equal("#!/bin/bash\n#SBATCH --partition=gpu\n#SBATCH -c 4\nmodule load cuda\nrun-it --x\n",
            SlurmTemplate.Render(template, "t.sh", Values(partition: "gpu", modules: "module load cuda")));
    }

    [Fact]
    public void UnknownPlaceholdersAreReportedWithTheirLines()
    {
        var e = Assert.Throws<UserInputException>(() => SlurmTemplate.Render("a\n{{ partiton }}\n{{ command }}\nb {{ nodes }}\n", "site.sh", Values()));
        Assert.Contains("site.sh:2: unknown placeholder {{ partiton }}", e.Message, StringComparison.Ordinal);
        Assert.Contains("site.sh:4: unknown placeholder {{ nodes }}", e.Message, StringComparison.Ordinal);
        var none = Assert.Throws<UserInputException>(() => SlurmTemplate.Render("#SBATCH -c {{ cpus }}\necho hi\n", "site.sh", Values()));
        Assert.Contains("never uses {{ command }}", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltInTemplateRendersEveryOption()
    {
        string text = SlurmTemplate.BuiltIn();
        var all = Values(partition: "gpu", gpus: "2", modules: "module load cuda/12");
        all["account"] = "lab";
        all["qos"] = "high";
        all["time"] = "04:00:00";
        all["memory"] = "16G";
        all["setup"] = "source /opt/env\nexport A=1";
        string script = SlurmTemplate.Render(text, "built-in", all);
        string[] expected =
        [
            "#SBATCH --job-name=sweeplab-x", "#SBATCH --partition=gpu", "#SBATCH --account=lab", "#SBATCH --qos=high",
            "#SBATCH --time=04:00:00", "#SBATCH --mem=16G", "#SBATCH --cpus-per-task=4", "#SBATCH --gres=gpu:2",
            "#SBATCH --output=/d/slurm/logs/task-%A_%a.out", "#SBATCH --chdir=/d", "module load cuda/12", "source /opt/env", "export A=1", "run-it",
        ];
        var lines = script.Split('\n');
        foreach (string line in expected) Assert.Contains(line, lines);
        Assert.DoesNotContain("{{", script, StringComparison.Ordinal);

        // The defaults leave out every unset directive instead of writing an empty one.
        string plain = SlurmTemplate.Render(text, "built-in", Values());
        foreach (string option in new[] { "--partition", "--account", "--qos", "--time", "--mem", "--gres" })
            Assert.DoesNotContain(plain.Split('\n'), l => l.StartsWith("#SBATCH " + option, StringComparison.Ordinal));
        Assert.StartsWith("#!/usr/bin/env bash\n", plain, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ShellQuotingSurvivesBash()
    {
        Skip.IfNot(File.Exists("/bin/bash"), "bash is not installed");
        string[] words = ["plain/path.dll", "with space", "it's", "$HOME", "a\"b", "semi;colon", "*"];
        var info = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("printf '%s\\n' " + string.Join(' ', words.Select(SlurmTemplate.ShellQuote)));
        using var process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(words, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
