namespace Gatehouse.Caching;

/// <summary>How to answer a client's conditional request from a stored response.</summary>
public enum ConditionalOutcome
{
    /// <summary>No applicable precondition, or it holds: send the stored response (a Range may still apply).</summary>
    SendStored,

    /// <summary>The client's copy is current: send 304 with <see cref="ClientConditions.NotModifiedHeaders"/>.</summary>
    NotModified,

    /// <summary>Preconditions only the origin can evaluate (If-Match, If-Unmodified-Since, unreadable If-None-Match): forward.</summary>
    Forward,
}
