package club.makapix.vts.logging;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces IP addresses in log text with {@code [ip]}: whatever a library logs about a peer, no raw
 * address reaches the logs. IPv6 needs a "::" or all eight groups, so times such as 12:21:30 stay.
 */
public final class IpRedaction {
    private static final Pattern IPV4 = Pattern.compile("(?<![\\w.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![\\w.])");
    private static final Pattern IPV6 = Pattern.compile(
            "(?<![\\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f]{0,4})(?:%[\\w.]+)?(?![\\w:.])");
    static final String MASK = "[ip]";

    private IpRedaction() {}

    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        // IPv6 first: its IPv4-mapped form (::ffff:1.2.3.4) must go as one address
        if (out.indexOf(':') >= 0) {
            Matcher m = IPV6.matcher(out);
            StringBuilder sb = new StringBuilder(out.length());
            while (m.find()) {
                m.appendReplacement(sb, Matcher.quoteReplacement(isIpv6(m.group()) ? MASK : m.group()));
            }
            m.appendTail(sb);
            out = sb.toString();
        }
        if (out.indexOf('.') >= 0) {
            out = IPV4.matcher(out).replaceAll(MASK);
        }
        return out;
    }

    private static boolean isIpv6(String s) {
        int colons = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ':') {
                colons++;
            }
        }
        return s.contains("::") ? colons >= 2 : colons == 7;
    }
}
