using System.Text;
using Gatehouse.Acme.Protocol;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// What an ACME server sends, through AcmeJsonReader: the first byte picks the document (directory, account, orders list,
/// order, authorization, challenge, problem, renewalInfo), the rest is its JSON (UTF-8). The documented refusal is
/// AcmeException; anything else escaping is a finding, as is a resource missing a member the client relies on.
/// </summary>
public static class AcmeJsonTarget
{
    private static readonly Uri Url = new("https://ca.example/acme/resource/1");

    public static void Run(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var json = Encoding.UTF8.GetString(data, 1, data.Length - 1);
        try
        {
            switch (data[0] % 8)
            {
                case 0:
                    var directory = AcmeJsonReader.Directory(json);
                    FindingException.Unless(directory.NewNonce.IsAbsoluteUri && directory.NewAccount.IsAbsoluteUri && directory.NewOrder.IsAbsoluteUri, "directory with a relative URL");
                    break;
                case 1:
                    FindingException.Unless(AcmeJsonReader.Account(json, Url).Status is not null, "account without status");
                    break;
                case 2:
                    FindingException.Unless(AcmeJsonReader.OrderList(json).All(u => u.IsAbsoluteUri), "relative order URL");
                    break;
                case 3:
                    var order = AcmeJsonReader.Order(json, Url);
                    FindingException.Unless(order.Finalize.IsAbsoluteUri && order.Status.Length > 0 && order.Authorizations.All(a => a.IsAbsoluteUri), "order without finalize or status");
                    break;
                case 4:
                    var authorization = AcmeJsonReader.Authorization(json, Url);
                    FindingException.Unless(authorization.Identifier is not null && authorization.Challenges.All(c => c.Url.IsAbsoluteUri), "authorization without identifier");
                    break;
                case 5:
                    FindingException.Unless(AcmeJsonReader.Challenge(json).Url.IsAbsoluteUri, "challenge without url");
                    break;
                case 6:
                    _ = AcmeJsonReader.Problem(json)?.ToString();
                    break;
                default:
                    var info = AcmeJsonReader.RenewalInfo(json, null);
                    FindingException.Unless(info.WindowEnd >= info.WindowStart, "renewal window ends before it starts");
                    break;
            }
        }
        catch (AcmeException)
        {
            // The documented refusal of a malformed document.
        }
    }
}
