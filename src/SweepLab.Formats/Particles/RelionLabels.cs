namespace SweepLab.Formats.Particles;

/// <summary>The RELION STAR labels SweepLab reads or writes (without the leading underscore).</summary>
public static class RelionLabels
{
    public const string ImageName = "rlnImageName";
    public const string AngleRot = "rlnAngleRot";
    public const string AngleTilt = "rlnAngleTilt";
    public const string AnglePsi = "rlnAnglePsi";
    public const string OriginXAngst = "rlnOriginXAngst";
    public const string OriginYAngst = "rlnOriginYAngst";
    public const string OriginX = "rlnOriginX";
    public const string OriginY = "rlnOriginY";
    public const string DefocusU = "rlnDefocusU";
    public const string DefocusV = "rlnDefocusV";
    public const string DefocusAngle = "rlnDefocusAngle";
    public const string PhaseShift = "rlnPhaseShift";
    public const string CtfBfactor = "rlnCtfBfactor";
    public const string CtfScalefactor = "rlnCtfScalefactor";
    public const string Voltage = "rlnVoltage";
    public const string SphericalAberration = "rlnSphericalAberration";
    public const string AmplitudeContrast = "rlnAmplitudeContrast";
    public const string ImagePixelSize = "rlnImagePixelSize";
    public const string ImageSize = "rlnImageSize";
    public const string ImageDimensionality = "rlnImageDimensionality";
    public const string DetectorPixelSize = "rlnDetectorPixelSize";
    public const string Magnification = "rlnMagnification";
    public const string OpticsGroup = "rlnOpticsGroup";
    public const string OpticsGroupName = "rlnOpticsGroupName";
    public const string ClassNumber = "rlnClassNumber";
    public const string MaxValueProbDistribution = "rlnMaxValueProbDistribution";
}
