package club.makapix.vts;

/**
 * The start failed for something outside VTS that may well pass (a database that did not answer in
 * time), not for a bad setting: said in one line, exit 1, so a supervisor tries again. A bad
 * setting is an {@link club.makapix.vts.config.InvalidSettingException} (exit 2: retrying cannot help).
 */
public final class StartFailure extends RuntimeException {
    public StartFailure(String setting, String message) {
        super(setting + ": " + message, null, false, false);
    }
}
