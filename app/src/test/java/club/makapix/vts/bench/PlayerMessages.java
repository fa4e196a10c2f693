package club.makapix.vts.bench;

import java.util.concurrent.CompletableFuture;

/**
 * What the players of an {@link MqttLoad} send, and what completes each message: a view is done at
 * its PUBACK, a relay request when the backend's response reaches the player.
 */
@FunctionalInterface
interface PlayerMessages {
    /** The player's next message, built now so that the one pacer thread only sends it. */
    Message next(BenchConnection player);

    @FunctionalInterface
    interface Message {
        /**
         * Sends it. Completes with 0 when it is done, with the PUBACK's failure reason code when the
         * broker refused it, or exceptionally when the connection is lost first.
         */
        CompletableFuture<Integer> send();
    }
}
