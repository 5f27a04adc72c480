using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaTtfs.App.Reports;

/// <summary>
/// The JSON of every report, by source generation (no reflection): snake_case names, indented. The field
/// names are those the reports had before they were typed; each report starts with its schema_version.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RunReport))]
[JsonSerializable(typeof(SimulateReport))]
[JsonSerializable(typeof(CampaignReport))]
[JsonSerializable(typeof(ReferenceBenchReport))]
[JsonSerializable(typeof(RuntimeBenchReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;

/// <summary>Serializes the typed reports.</summary>
public static class ReportSerializer
{
    /// <summary>Version 1: the fields the untyped reports had, plus schema_version.</summary>
    public const int SchemaVersion = 1;

    public static string Serialize(RunReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.RunReport);

    public static string Serialize(SimulateReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.SimulateReport);

    public static string Serialize(CampaignReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.CampaignReport);

    public static string Serialize(ReferenceBenchReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.ReferenceBenchReport);

    public static string Serialize(RuntimeBenchReport report) => JsonSerializer.Serialize(report, ReportJsonContext.Default.RuntimeBenchReport);
}
