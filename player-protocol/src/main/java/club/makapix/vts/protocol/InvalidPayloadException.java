package club.makapix.vts.protocol;

/** A payload that is not what the contract describes; the message says what is wrong, for humans. */
public final class InvalidPayloadException extends Exception {
    public InvalidPayloadException(String message) {
        super(message, null, false, false);
    }
}
