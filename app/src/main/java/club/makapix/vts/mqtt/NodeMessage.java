package club.makapix.vts.mqtt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What one node tells the others through Redis ({@link NodeLink}), in a small binary form: always
 * the node it comes from, so a node recognises (and ignores) its own messages.
 */
sealed interface NodeMessage {
    byte VERSION = 1;

    /** The node that sent it. */
    String origin();

    /**
     * A device-plane message published on the origin node, to be published again on the others:
     * {@code toPlayer} for what the service account sent a player, else what a player sent.
     */
    record Relay(String origin, String playerKey, boolean toPlayer, String topic, int qos, boolean retain, byte[] payload)
            implements NodeMessage {}

    /** A player's client id connected on the origin node, the {@code seq}-th connect of the cluster: older connections of it end. */
    record Connected(String origin, String clientId, long seq) implements NodeMessage {}

    /** A player was revoked ({@code revoked}) or changed (owner, secret): forget it, and cut it if revoked. */
    record PlayerChanged(String origin, String playerKey, boolean revoked) implements NodeMessage {}

    static byte[] encode(NodeMessage message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            if (message instanceof Relay r) {
                out.writeByte(1);
                out.writeUTF(r.origin());
                out.writeUTF(r.playerKey());
                out.writeBoolean(r.toPlayer());
                out.writeUTF(r.topic());
                out.writeByte(r.qos());
                out.writeBoolean(r.retain());
                out.writeInt(r.payload().length);
                out.write(r.payload());
            } else if (message instanceof Connected c) {
                out.writeByte(2);
                out.writeUTF(c.origin());
                out.writeUTF(c.clientId());
                out.writeLong(c.seq());
            } else if (message instanceof PlayerChanged p) {
                out.writeByte(3);
                out.writeUTF(p.origin());
                out.writeUTF(p.playerKey());
                out.writeBoolean(p.revoked());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The message, or null when it is not one this version reads (a newer node's, say). */
    static NodeMessage decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readByte() != VERSION) {
                return null;
            }
            int type = in.readByte();
            String origin = in.readUTF();
            return switch (type) {
                case 1 -> {
                    String key = in.readUTF();
                    boolean toPlayer = in.readBoolean();
                    String topic = in.readUTF();
                    int qos = in.readByte();
                    boolean retain = in.readBoolean();
                    byte[] payload = new byte[in.readInt()];
                    in.readFully(payload);
                    yield new Relay(origin, key, toPlayer, topic, qos, retain, payload);
                }
                case 2 -> new Connected(origin, in.readUTF(), in.readLong());
                case 3 -> new PlayerChanged(origin, in.readUTF(), in.readBoolean());
                default -> null;
            };
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
