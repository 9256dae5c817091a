namespace Gatehouse.FunctionalTests.Admin;

/// <summary>
/// Backends that answer with their name, except that whichever one gets <c>/slow</c> holds it until
/// <see cref="Release"/>: the in-flight request a drain must let finish, awaited without sleeps.
/// </summary>
internal sealed class HeldSlowRequest
{
    private readonly TaskCompletionSource<string> _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The name of the backend holding <c>/slow</c>, once it arrived.</summary>
    public Task<string> Arrived => _arrived.Task;

    public RequestDelegate Handler(string name) => async context =>
    {
        if (context.Request.Path == "/slow")
        {
            _arrived.TrySetResult(name);
            await _release.Task;
        }

        await context.Response.WriteAsync(name);
    };

    public void Release() => _release.SetResult();
}
