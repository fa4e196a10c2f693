package club.makapix.vts.pipeline;

import club.makapix.vts.protocol.ErrorCode;

/** Why a stage stopped an event. Every reason is counted in metrics under its {@link #label()}. */
public enum Reason {
    INVALID_PAYLOAD(ErrorCode.INVALID_PAYLOAD),
    PLAYER_KEY_MISMATCH(ErrorCode.PLAYER_KEY_MISMATCH),
    PLAYER_NOT_REGISTERED(ErrorCode.PLAYER_NOT_REGISTERED),
    PLAYER_NO_OWNER(ErrorCode.PLAYER_NO_OWNER),
    POST_NOT_FOUND(ErrorCode.POST_NOT_FOUND),
    DUPLICATE(ErrorCode.DUPLICATE),
    RATE_LIMITED(ErrorCode.RATE_LIMITED),
    /** Something failed inside VTS; the event was not stored. */
    PROCESSING_ERROR(ErrorCode.PROCESSING_ERROR);

    private final ErrorCode errorCode;

    Reason(ErrorCode errorCode) {
        this.errorCode = errorCode;
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    public String label() {
        return errorCode.wire();
    }
}
