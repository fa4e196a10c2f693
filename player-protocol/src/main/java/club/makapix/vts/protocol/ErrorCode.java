package club.makapix.vts.protocol;

/** The error codes a player can receive on its ack topic (contract §1). */
public enum ErrorCode {
    INVALID_PAYLOAD("invalid_payload"),
    PLAYER_KEY_MISMATCH("player_key_mismatch"),
    PLAYER_NOT_REGISTERED("player_not_registered"),
    PLAYER_NO_OWNER("player_no_owner"),
    DUPLICATE("duplicate"),
    RATE_LIMITED("rate_limited"),
    POST_NOT_FOUND("post_not_found"),
    PROCESSING_ERROR("processing_error");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The spelling on the wire, e.g. {@code rate_limited}. */
    public String wire() {
        return wire;
    }

    public static ErrorCode fromWire(String wire) {
        for (ErrorCode code : values()) {
            if (code.wire.equals(wire)) {
                return code;
            }
        }
        throw new IllegalArgumentException("unknown error code: " + wire);
    }
}
