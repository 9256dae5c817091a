using Gatehouse.Runtime;

namespace Gatehouse.Protection;

/// <summary>Protection's own settings in a compiled generation (Lifecycle/GenerationCompiler puts them there).</summary>
internal static class ProtectionGeneration
{
    public static ProtectionSettings Protection(this Generation generation) => generation.Get<ProtectionSettings>() ?? ProtectionSettings.Empty;

    public static HideBackendSettings HideBackend(this Generation generation) => generation.Get<HideBackendSettings>() ?? HideBackendSettings.Default;

    public static RouteLimitSettings RouteLimits(this Generation generation) => generation.Get<RouteLimitSettings>() ?? RouteLimitSettings.Empty;

    /// <summary>The route's checks; null only for a route its generation did not compile (then the request is refused).</summary>
    public static RouteProtection? Protection(this RouteRuntime route) => route.Get<RouteProtection>();
}
