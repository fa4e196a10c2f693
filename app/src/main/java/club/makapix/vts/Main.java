package club.makapix.vts;

import club.makapix.vts.config.InvalidSettingException;
import club.makapix.vts.config.Settings;
import club.makapix.vts.config.SettingsSource;
import club.makapix.vts.config.Version;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Starts VTS from its settings; a bad setting stops the start with one line naming it (exit 2), and
 * so does a failure that may pass, such as a database that did not answer in time (exit 1).
 * {@code --version} prints the version; {@code check} only validates the settings (exit 0 or 2).
 */
public final class Main {
    private static final String USAGE = "usage: vts [--version | check]   (no argument: start the server)";

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 1 || (args.length == 1 && !args[0].equals("--version") && !args[0].equals("check"))) {
            System.err.println(USAGE);
            System.exit(2);
        }
        if (args.length == 1 && args[0].equals("--version")) {
            System.out.println("vts " + Version.current());
            return;
        }
        if (args.length == 1) {
            check();
            return;
        }
        Server server;
        try {
            // read before anything logs: the settings choose how log lines look
            Settings settings = Settings.from(SettingsSource.fromEnvironment());
            useOwnLogConfiguration(settings.logFormat());
            server = Server.start(settings);
        } catch (InvalidSettingException e) {
            System.err.println("vts: cannot start: " + e.getMessage());
            System.exit(2);
            return;
        } catch (StartFailure e) {
            System.err.println("vts: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            System.err.println("vts: cannot start: " + e);
            System.exit(1);
            return;
        }
        server.stopOnShutdown();
    }

    /** Reads and validates every setting, as a start would, and starts nothing. */
    private static void check() {
        try {
            Settings.from(SettingsSource.fromEnvironment());
        } catch (InvalidSettingException e) {
            System.err.println("vts: " + e.getMessage());
            System.exit(2);
        }
        System.out.println("vts " + Version.current() + ": the settings are valid");
    }

    /**
     * HiveMQ's jar carries a logback.xml too; ours has its own name so there is no doubt which applies.
     * It writes through the appender named as the format ({@code vts.log.format}). Call it before the
     * first logger is made.
     */
    public static void useOwnLogConfiguration(Settings.LogFormat format) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "vts-logback.xml");
        }
        System.setProperty("vts.log.format", format.label());
        if (System.getProperty("logback.statusListenerClass") == null) {
            System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
        }
        // libraries that log through java.util.logging (Caffeine's refresh failures, say) go through
        // logback too: its format, and its IP masking
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
