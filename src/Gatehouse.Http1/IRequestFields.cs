using System.Buffers;

namespace Gatehouse.Http1;

/// <summary>
/// The fields of a request head, from a source that can be read more than once (a head refused by a closed connection
/// is written again on a new one). <see cref="RequestHeadWriter"/> calls <see cref="Check"/> before writing any byte,
/// so a refusal never leaves half a head behind, then <see cref="WriteTo"/>. A source checks each field with
/// <see cref="RequestHeadWriter.CheckField"/> and writes it with <see cref="RequestHeadWriter.WriteField"/>, skipping
/// the fields the writer decides itself (<see cref="RequestHeadWriter.IsOwnField"/>).
/// </summary>
public interface IRequestFields
{
    /// <summary>Null, or why a field cannot be sent.</summary>
    string? Check();

    void WriteTo(IBufferWriter<byte> output);
}

/// <summary>Fields given as a list of name and value pairs, each name written as often as it appears.</summary>
public sealed class RequestFieldList(IReadOnlyList<KeyValuePair<string, string>> fields) : IRequestFields
{
    public static RequestFieldList Empty { get; } = new([]);

    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; } = fields;

    public string? Check()
    {
        foreach (var (name, value) in Fields)
        {
            if (RequestHeadWriter.CheckField(name, value) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    public void WriteTo(IBufferWriter<byte> output)
    {
        foreach (var (name, value) in Fields)
        {
            if (!RequestHeadWriter.IsOwnField(name))
            {
                RequestHeadWriter.WriteField(output, name, value);
            }
        }
    }
}
