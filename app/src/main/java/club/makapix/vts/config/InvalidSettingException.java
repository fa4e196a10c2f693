package club.makapix.vts.config;

/** A setting that cannot be used; the message is the one line the operator sees, naming the setting. */
public final class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String setting, String problem) {
        super(setting + ": " + problem);
    }
}
