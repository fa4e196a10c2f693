package club.makapix.vts;

import club.makapix.vts.config.InvalidSettingException;
import club.makapix.vts.config.Settings;
import club.makapix.vts.config.SettingsSource;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Starts VTS from its settings; a bad setting stops the start with one line naming it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        useOwnLogConfiguration();
        Server server;
        try {
            server = Server.start(Settings.from(SettingsSource.fromEnvironment()));
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

    /** HiveMQ's jar carries a logback.xml too; ours has its own name so there is no doubt which applies. */
    public static void useOwnLogConfiguration() {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "vts-logback.xml");
        }
        if (System.getProperty("logback.statusListenerClass") == null) {
            System.setProperty("logback.statusListenerClass", "ch.qos.logback.core.status.NopStatusListener");
        }
        // libraries that log through java.util.logging (Caffeine's refresh failures, say) go through
        // logback too: its format, and its IP masking
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }
}
