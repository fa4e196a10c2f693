package club.makapix.vts.pipeline;

import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.InvalidPayloadException;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.protocol.ViewEventCodec;

/** Reads a player's view payload (contract §1) into the event; anything malformed stops here. */
public final class DecodePlayerPayload implements Stage {
    @Override
    public Verdict apply(Event event) {
        ViewEvent view;
        try {
            view = ViewEventCodec.decode(event.playerPayload());
        } catch (InvalidPayloadException e) {
            event.requestAck = ViewEventCodec.requestsAck(event.playerPayload());
            return Verdict.stop(Reason.INVALID_PAYLOAD, e.getMessage());
        }
        event.postId = view.postId();
        event.kind = view.intent() == Intent.ARTWORK ? Kind.VIEW : Kind.IMPRESSION;
        event.clientTime = view.clientTime();
        event.timezone = view.timezone();
        event.channel = view.channel();
        event.channelContext = view.channelHashtag() != null ? view.channelHashtag() : view.channelUserSqid();
        event.playOrder = view.playOrder();
        event.playlistId = view.playlistId();
        event.dwellMs = view.dwellMs();
        event.watchedMs = view.watchedMs();
        event.eventId = view.eventId();
        event.payloadPlayerKey = view.playerKey();
        event.requestAck = view.requestAck();
        return Verdict.pass();
    }
}
