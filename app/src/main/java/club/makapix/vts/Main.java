package club.makapix.vts;

import club.makapix.vts.config.InvalidSettingException;
import club.makapix.vts.config.Settings;
import club.makapix.vts.config.SettingsSource;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Starts VTS from its settings; a bad setting stops the start with one line naming it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
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
        } catch (Exception e) {
            System.err.println("vts: cannot start: " + e);
            System.exit(1);
            return;
        }
        server.stopOnShutdown();
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
