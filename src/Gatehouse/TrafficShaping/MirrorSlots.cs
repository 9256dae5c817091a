namespace Gatehouse.TrafficShaping;

/// <summary>
/// The copies in flight for one route, bounded: a copy takes a slot or is not made. Never waits, so a shadow that hangs
/// costs the client's request nothing; at most <c>max</c> copies (and their bodies) are held at once.
/// </summary>
public sealed class MirrorSlots
{
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public bool TryTake(int max)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Return() => Interlocked.Decrement(ref _inFlight);
}
