package dev.weft.bench.tcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What travels over a benchmark connection: a 64-byte echo, or a minimal HTTP/1.1 keep-alive
 * "hello" (a GET without body, answered with a 13-byte text body), one request at a time per
 * connection, as {@code wrk} drives a server without pipelining.
 */
enum Protocol {
    ECHO, HTTP;

    static final int ECHO_SIZE = 64;
    static final byte[] HTTP_REQUEST = "GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] HTTP_BODY = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    /** The whole response of the servers that write their own (JDK sockets, Weft). Read-only. */
    static final byte[] HTTP_RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + HTTP_BODY.length + "\r\n\r\n" + new String(HTTP_BODY, StandardCharsets.US_ASCII))
            .getBytes(StandardCharsets.US_ASCII);

    static Protocol of(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** Returns a request to send. */
    byte[] request() {
        return this == ECHO ? new byte[ECHO_SIZE] : HTTP_REQUEST;
    }

    /**
     * Returns the length of the complete response at the start of {@code received} (positions
     * 0 to {@code received.position()}), or -1 if it is not complete yet.
     */
    int responseLength(ByteBuffer received) {
        int n = received.position();
        if (this == ECHO) {
            return n >= ECHO_SIZE ? ECHO_SIZE : -1;
        }
        int headerEnd = indexOfBlankLine(received, n);
        if (headerEnd < 0) {
            return -1;
        }
        int total = headerEnd + contentLength(received, headerEnd);
        return n >= total ? total : -1;
    }

    /** Counts the requests that end in a byte stream (an HTTP request without body ends with CRLF CRLF). */
    static final class RequestCounter {
        private int matched;

        int count(byte[] bytes, int from, int to) {
            int requests = 0;
            for (int i = from; i < to; i++) {
                byte b = bytes[i];
                matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    requests++;
                    matched = 0;
                }
            }
            return requests;
        }
    }

    private static int indexOfBlankLine(ByteBuffer b, int n) {
        for (int i = 3; i < n; i++) {
            if (b.get(i) == '\n' && b.get(i - 1) == '\r' && b.get(i - 2) == '\n' && b.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    private static int contentLength(ByteBuffer b, int headerEnd) {
        String headers = StandardCharsets.US_ASCII.decode(b.duplicate().position(0).limit(headerEnd)).toString();
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                return Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        throw new IllegalStateException("a response without Content-Length: " + headers);
    }
}
