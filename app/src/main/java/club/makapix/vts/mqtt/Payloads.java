package club.makapix.vts.mqtt;

import java.nio.ByteBuffer;

/** HiveMQ hands payloads and passwords over as read-only buffers; VTS works on byte arrays. */
final class Payloads {
    private Payloads() {}

    /** A copy of the buffer's remaining bytes (empty for none), leaving the buffer as it was. */
    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
