package club.makapix.vts.http;

import club.makapix.vts.config.AddressRange;
import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The client's address: the socket's peer, unless that peer is a proxy listed in
 * {@code VTS_TRUSTED_PROXIES}; then X-Forwarded-For is walked from the right, past trusted proxies,
 * to the first address a trusted proxy vouches for. Anyone else's X-Forwarded-For is ignored.
 */
final class ClientAddress {
    private final List<AddressRange> trustedProxies;

    ClientAddress(List<AddressRange> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    InetAddress of(Context ctx) {
        InetAddress peer = literal(ctx.req().getRemoteAddr());
        if (peer == null || !trusted(peer)) {
            return peer;
        }
        String forwarded = ctx.header("X-Forwarded-For");
        if (forwarded == null || forwarded.isBlank()) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        InetAddress client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            InetAddress hop = literal(hops[i]);
            if (hop == null) {
                break; // garbage from further left is not vouched for
            }
            client = hop;
            if (!trusted(hop)) {
                break;
            }
        }
        return client;
    }

    private boolean trusted(InetAddress address) {
        for (AddressRange range : trustedProxies) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** An address literal (IPv4, IPv6, [IPv6]:port or IPv4:port), or null; never a name lookup. */
    static InetAddress literal(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            s = end < 0 ? "" : s.substring(1, end);
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') > 0) {
            s = s.substring(0, s.indexOf(':')); // IPv4 with a port
        }
        if (s.isEmpty() || !s.matches("[0-9A-Fa-f:.]+")) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
