package club.makapix.vts.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP pipe on a free loopback port to one upstream address, that a test can cut like a network
 * outage: {@link #cut()} closes every live connection and turns away new ones (accepted, then closed
 * at once, so clients fail fast instead of hanging) until {@link #restore()}.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final String upstreamHost;
    private final int upstreamPort;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private volatile boolean closed;

    private TcpProxy(ServerSocket listener, String upstreamHost, int upstreamPort) {
        this.listener = listener;
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
    }

    public static TcpProxy start(String upstreamHost, int upstreamPort) {
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            TcpProxy proxy = new TcpProxy(listener, upstreamHost, upstreamPort);
            daemon(proxy::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort()).start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Drops every connection now and turns away new ones until {@link #restore()}. */
    public void cut() {
        cut = true;
        for (Socket s : live) {
            closeQuietly(s);
        }
        live.clear();
    }

    public void restore() {
        cut = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket downstream;
            try {
                downstream = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (cut) {
                closeQuietly(downstream);
                continue;
            }
            try {
                Socket upstream = new Socket(upstreamHost, upstreamPort);
                live.add(downstream);
                live.add(upstream);
                // a cut() between the check above and here must still drop this pair
                if (cut) {
                    closeQuietly(downstream);
                    closeQuietly(upstream);
                    continue;
                }
                daemon(() -> pump(downstream, upstream), "tcp-proxy-up").start();
                daemon(() -> pump(upstream, downstream), "tcp-proxy-down").start();
            } catch (IOException e) {
                closeQuietly(downstream);
            }
        }
    }

    /** Copies one direction until either side closes, then closes both. */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away; the finally closes the pair
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            live.remove(from);
            live.remove(to);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
        cut();
    }
}
