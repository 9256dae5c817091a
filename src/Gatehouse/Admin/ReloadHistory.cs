using Gatehouse.Lifecycle;

namespace Gatehouse.Admin;

/// <summary>The last config reloads, applied or refused, with their errors: for the dashboard.</summary>
public sealed class ReloadHistory
{
    private const int Kept = 10;

    private readonly Lock _gate = new();
    private readonly LinkedList<ReloadRecord> _records = new();
    private readonly TimeProvider _time;

    public ReloadHistory(ConfigReloader reloader, TimeProvider time)
    {
        _time = time;
        Add(new ReloadRecord(time.GetUtcNow(), true, reloader.Revision, []));
        reloader.Reloaded += outcome => Add(new ReloadRecord(_time.GetUtcNow(), outcome.Applied, outcome.Revision, outcome.Errors.Select(e => e.ToString()).ToList()));
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<ReloadRecord> Recent
    {
        get
        {
            lock (_gate)
            {
                return _records.ToList();
            }
        }
    }

    private void Add(ReloadRecord record)
    {
        lock (_gate)
        {
            _records.AddFirst(record);
            if (_records.Count > Kept)
            {
                _records.RemoveLast();
            }
        }
    }
}

/// <param name="Revision">The revision in force after the attempt (unchanged when refused).</param>
public sealed record ReloadRecord(DateTimeOffset Time, bool Applied, int Revision, IReadOnlyList<string> Errors);
