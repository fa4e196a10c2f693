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
    PROCESSING_ERROR(ErrorCode.PROCESSING_ERROR),
    /** A crawler or other self-declared robot: accepted, never counted. */
    BOT_CRAWLER("bot_crawler"),
    /** A headless browser or automation (webdriver): accepted, never counted. */
    BOT_HEADLESS("bot_headless"),
    /** A scripted client (curl, HTTP libraries) or no user agent at all: accepted, never counted. */
    BOT_SCRIPTED("bot_scripted");

    private final ErrorCode errorCode;
    private final String label;

    Reason(ErrorCode errorCode) {
        this.errorCode = errorCode;
        this.label = errorCode.wire();
    }

    Reason(String label) {
        this.errorCode = null;
        this.label = label;
    }

    /** The code a player is told; null for reasons only web clients meet. */
    public ErrorCode errorCode() {
        return errorCode;
    }

    /** Accepted but not counted: the client did nothing wrong and needs no retry. */
    public boolean accepted() {
        return errorCode == null || this == DUPLICATE;
    }

    public String label() {
        return label;
    }
}
