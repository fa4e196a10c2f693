package club.makapix.vts.http;

import club.makapix.vts.config.AddressRange;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
    private final Counter ignoredHops;

    ClientAddress(List<AddressRange> trustedProxies, MeterRegistry metrics) {
        this.trustedProxies = trustedProxies;
        this.ignoredHops = Counter.builder("vts_forwarded_for_ignored_total")
                .description("X-Forwarded-For entries from trusted proxies that were not an IP address literal (ignored)")
                .register(metrics);
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
                ignoredHops.increment();
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
        // only what the JDK parses as a literal: a dotted quad, or text with a colon (IPv6). Anything
        // else, "cafe.be" included, would send InetAddress.getByName to DNS
        boolean ipv4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
