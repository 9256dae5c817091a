namespace Gatehouse.Tests.Forwarding;

/// <summary>
/// A clock that moves only when a test says so. The frequency defaults to the nanosecond ticks
/// <see cref="System.Diagnostics.Stopwatch"/> has on Linux, and the start to a machine up for a day, so that the code under
/// test sees timestamps as large as it will in production.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    public long Timestamp = 86_400L * 1_000_000_000;

    public long Frequency = 1_000_000_000;

    public override long TimestampFrequency => Frequency;

    public override long GetTimestamp() => Timestamp;

    public void Advance(TimeSpan by) => Timestamp += (long)(by.TotalSeconds * Frequency);
}
