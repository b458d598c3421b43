using Cocona;

var app = CoconaApp.Create(args);
app.AddCommand("version", () => Console.WriteLine("sweeplab 0.1"));
app.Run();
