using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>The age calculation of RFC 9111 §4.2.3, with the clock passed in.</summary>
public static class ResponseAge
{
    /// <summary>
    /// <c>corrected_initial_age</c>, fixed when a response is stored (or validated):
    /// <code>
    /// apparent_age          = max(0, response_time - date_value)
    /// response_delay        = response_time - request_time
    /// corrected_age_value   = age_value + response_delay
    /// corrected_initial_age = max(apparent_age, corrected_age_value)
    /// </code>
    /// <c>age_value</c> is the Age header or 0 (§5.1: first member of a list, ignored when invalid); a response
    /// without a valid Date takes <c>response_time</c> as its date (RFC 9110 §6.6.1), so its apparent age is 0.
    /// Age is counted from the request (§4.2.3 MUST), hence the response delay. Clock steps backwards give 0, not
    /// negative ages.
    /// </summary>
    public static TimeSpan CorrectedInitialAge(IHeaderDictionary responseHeaders, DateTimeOffset requestTime, DateTimeOffset responseTime)
    {
        var dateValue = HttpDate.DateOr(responseHeaders[HeaderNames.Date], responseTime);
        var apparentAge = Max(TimeSpan.Zero, responseTime - dateValue);
        var responseDelay = Max(TimeSpan.Zero, responseTime - requestTime);
        var correctedAgeValue = Capped(AgeValue(responseHeaders) + responseDelay);
        return Max(apparentAge, correctedAgeValue);
    }

    /// <summary><c>current_age = corrected_initial_age + resident_time</c>, <c>resident_time = now - response_time</c>.</summary>
    public static TimeSpan Current(TimeSpan correctedInitialAge, DateTimeOffset responseTime, DateTimeOffset now) =>
        Capped(correctedInitialAge + Max(TimeSpan.Zero, now - responseTime));

    /// <summary>The Age header value for a current age: whole seconds, at most 2^31 (§5.1, §1.2.2).</summary>
    public static string ToHeaderValue(TimeSpan currentAge) =>
        DeltaSeconds.ToSeconds(currentAge).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>age_value</c>: §5.1 says to use the first member of a list and to ignore an invalid value.</summary>
    internal static TimeSpan AgeValue(IHeaderDictionary responseHeaders)
    {
        var members = FieldList.Members(responseHeaders[HeaderNames.Age]);
        return members.Count > 0 && DeltaSeconds.TryParse(members[0], out var age) ? age : TimeSpan.Zero;
    }

    private static TimeSpan Capped(TimeSpan value) => value > DeltaSeconds.Infinity ? DeltaSeconds.Infinity : value;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
