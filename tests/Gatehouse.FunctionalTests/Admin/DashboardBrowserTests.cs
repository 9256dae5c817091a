using Gatehouse.FunctionalTests.Infrastructure;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Gatehouse.FunctionalTests.Admin;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, driven by Selenium), against a
/// running Gatehouse with real Kestrel backends (issue 15, acceptance 5). Selenium's client is synchronous, so each
/// test runs on a thread of its own (<see cref="OwnThread"/>).
/// </summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public Task Dashboard_LoadsCleanly_ListsDestinations_CountsUnderLoad_AndShowsDrainingAfterTheButton() => OwnThread.RunAsync(async () =>
    {
        var slowRequest = new HeldSlowRequest();
        await using var a = await TestBackend.StartAsync("a", slowRequest.Handler("a"));
        await using var b = await TestBackend.StartAsync("b", slowRequest.Handler("b"));
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), "\"loadBalancingPolicy\": \"RoundRobin\"", rootExtra: AdminSession.Config));
        using var browser = StartBrowser();
        var wait = Wait(browser);

        await browser.Navigate().GoToUrlAsync(new Uri(proxy.AdminAddress, "/dashboard#token=" + AdminSession.Token).ToString());
        wait.Until(d => d.FindElements(By.CssSelector("tr[data-destination='c/a'], tr[data-destination='c/b']")).Count == 2);
        Assert.Equal("active", Text(wait, "tr[data-destination='c/a'] td.state"));

        // Counters rise under load.
        await using var load = Load.Start(proxy.Client, "/", workers: 2, TimeSpan.FromSeconds(60));
        var first = Number(wait, "tr[data-route='all'] td.requests", n => n > 0);
        Number(wait, "tr[data-route='all'] td.requests", n => n > first);
        Number(wait, "tr[data-route='all'] td.rps", n => n > 0);

        // The destination holding a slow request shows draining after its button is pressed, drained once it is done.
        var slow = proxy.Client.GetAsync("/slow");
        var held = await slowRequest.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        var row = $"tr[data-destination='c/{held}']";
        wait.Until(d =>
        {
            d.FindElement(By.CssSelector(row + " button.drain")).Click();
            return true;
        });
        wait.Until(_ => Text(wait, row + " td.state") == "draining");
        // Kept for the docs (docs/images/dashboard.png is one such picture).
        ((ITakesScreenshot)browser).GetScreenshot().SaveAsFile(Path.Combine(proxy.Directory, "dashboard.png"));
        File.Copy(Path.Combine(proxy.Directory, "dashboard.png"), Path.Combine(Path.GetTempPath(), "gatehouse-dashboard.png"), overwrite: true);
        slowRequest.Release();
        (await slow).Dispose();
        wait.Until(_ => Text(wait, row + " td.state") == "drained");
        wait.Until(d =>
        {
            d.FindElement(By.CssSelector(row + " button.enable")).Click();
            return true;
        });
        wait.Until(_ => Text(wait, row + " td.state") == "active");

        await load.StopAsync();
        Assert.Empty(load.Failures);
        var errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= OpenQA.Selenium.LogLevel.Severe).Select(e => e.Message).ToList();
        Assert.Empty(errors);
    });

    [Fact]
    public Task Dashboard_WithAWrongToken_IsRefused_AndShowsNoData() => OwnThread.RunAsync(async () =>
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: AdminSession.Config));
        using var browser = StartBrowser();
        var wait = Wait(browser);

        await browser.Navigate().GoToUrlAsync(new Uri(proxy.AdminAddress, "/dashboard#token=not-the-token").ToString());

        wait.Until(_ => Text(wait, "#auth-error").Contains("refused", StringComparison.Ordinal));
        Assert.Empty(browser.FindElements(By.CssSelector("tr[data-destination]")));
        Assert.False(browser.FindElement(By.Id("panels")).Displayed);
    });

    private static ChromeDriver StartBrowser()
    {
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions", "--window-size=1400,800");
        options.SetLoggingPreference(LogType.Browser, OpenQA.Selenium.LogLevel.All);
        var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>The browser's own wait (bounded: 20 s); the page re-renders every second, so stale elements are retried.</summary>
    private static WebDriverWait Wait(IWebDriver browser)
    {
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(20)) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        return wait;
    }

    /// <summary>Waits until the cell holds a number <paramref name="accept"/> takes, and returns it.</summary>
    private static double Number(WebDriverWait wait, string selector, Func<double, bool> accept) =>
        double.Parse(wait.Until(d =>
        {
            var text = d.FindElement(By.CssSelector(selector)).Text;
            return double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) && accept(n) ? text : null;
        })!, System.Globalization.CultureInfo.InvariantCulture);

    private static string Text(WebDriverWait wait, string selector) => wait.Until(d => d.FindElement(By.CssSelector(selector)).Text);
}
