package dev.weft.actors.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.Locale;

/**
 * Recognises the failures that a network peer causes in normal operation: it reset the connection,
 * closed it under a write, or refused to connect. The TCP components log those at DEBUG (see
 * {@link dev.weft.runtime.Component#failureLogLevel(System.Logger.Level)}), not as warnings with a
 * stack trace. The JDK gives no error code for them, so the socket exception's message is read.
 */
final class PeerGone {
    private PeerGone() {
    }

    static boolean test(Throwable t) {
        if (t instanceof ConnectException) {
            return true;
        }
        if (!(t instanceof SocketException) && !(t instanceof IOException && t.getClass() == IOException.class)) {
            return false;
        }
        String message = t.getMessage();
        if (message == null) {
            return false;
        }
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("connection reset") || m.contains("broken pipe");
    }
}
