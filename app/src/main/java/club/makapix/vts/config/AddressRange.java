package club.makapix.vts.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address or CIDR range ({@code 10.0.0.0/8}, {@code ::1}), as listed in {@code VTS_TRUSTED_PROXIES}. */
public record AddressRange(byte[] network, int prefixLength) {

    public static AddressRange parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        if (host.isEmpty() || !host.matches("[0-9A-Fa-f:.]+")) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR range");
        }
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress(); // literal only: no name lookup for [0-9a-f:.]
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + s + "' is not an IP address or CIDR range");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("'" + s + "' has a bad prefix length");
            }
        }
        return new AddressRange(address, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xFF << (8 - rest) & 0xFF;
        return (candidate[full] & mask) == (network[full] & mask);
    }
}
