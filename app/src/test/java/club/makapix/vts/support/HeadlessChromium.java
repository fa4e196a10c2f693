package club.makapix.vts.support;

import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium and chromedriver (installed by scripts/test), headless, on a fresh profile, with
 * nothing calling out of the machine; Selenium Manager downloads nothing.
 */
public final class HeadlessChromium {
    private HeadlessChromium() {}

    /** The common options; a test adds its own (user agent, downloads, logging) before {@link #start}. */
    public static ChromeOptions options(Path profile, String windowSize) {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=" + windowSize);
        return options;
    }

    public static ChromeDriver start(ChromeOptions options) {
        ChromeDriver browser = new ChromeDriver(options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return browser;
    }
}
