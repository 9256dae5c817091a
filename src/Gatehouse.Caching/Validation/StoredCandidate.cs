using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching;

/// <summary>A stored response that a validation response might update: its fields and when it was received.</summary>
public sealed record StoredCandidate(IHeaderDictionary Headers, DateTimeOffset ResponseTime);
