package dev.weft.cluster;

import java.util.Objects;

/**
 * Where a service lives in the cluster: what the registry on etcd holds for it.
 *
 * @param service the service's name ({@link dev.weft.runtime.ServiceKey#name()})
 * @param runtime the name of the runtime that provides it
 * @param incarnation the incarnation of that runtime: its etcd lease id, new on every start, so a
 *     restarted runtime is never taken for its previous self
 * @param host the host its links are served on
 * @param port the port its links are served on
 * @param component the providing component's name
 * @param inbox the providing inbox's name
 * @param type the name of the message type the inbox takes
 */
public record RemoteAddress(String service, String runtime, long incarnation, String host, int port,
                            String component, String inbox, String type) {
    private static final String VERSION = "a1";

    public RemoteAddress {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(inbox, "inbox");
        Objects.requireNonNull(type, "type");
    }

    /** The text stored in etcd: tab-separated fields after a format tag. */
    String encode() {
        return String.join("\t", VERSION, service, runtime, Long.toString(incarnation), host, Integer.toString(port),
                component, inbox, type);
    }

    /** Parses {@link #encode()}'s text, or returns {@code null} if it is not an address (a start claim). */
    static RemoteAddress decode(String text) {
        String[] f = text.split("\t", -1);
        if (f.length != 9 || !f[0].equals(VERSION)) {
            return null;
        }
        return new RemoteAddress(f[1], f[2], Long.parseLong(f[3]), f[4], Integer.parseInt(f[5]), f[6], f[7], f[8]);
    }

    @Override
    public String toString() {
        return service + "@" + runtime + "#" + Long.toHexString(incarnation) + "(" + host + ":" + port + ", "
                + component + "." + inbox + ")";
    }
}
