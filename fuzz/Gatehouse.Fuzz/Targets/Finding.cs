namespace Gatehouse.Fuzz.Targets;

/// <summary>A broken invariant: thrown by a target so that AFL records the input as a crash.</summary>
public sealed class FindingException(string message) : Exception(message)
{
    public FindingException() : this("finding") { }

    public FindingException(string message, Exception inner) : this(message + ": " + inner.Message) { }

    public static void Unless(bool holds, string what)
    {
        if (!holds)
        {
            throw new FindingException(what);
        }
    }
}
