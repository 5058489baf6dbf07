package dev.weft.testkit;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Messages as failure messages print them. {@code toString} is kept for everything but arrays,
 * which print their type, length and contents: {@code byte[5] "hi\n\x00\xff"} (escaped text, the
 * first {@value #MAX_BYTES} bytes), {@code int[3] [1, 2, 3]}, {@code String[2][] [[a], [b, c]]}.
 * Lists of messages print each message so, up to {@value #MAX_LISTED} of them.
 */
final class Printed {
    static final int MAX_BYTES = 256;
    static final int MAX_LISTED = 32;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printed() {
    }

    /** Returns {@code message} as a failure message shows it. */
    static String of(Object message) {
        if (message == null || !message.getClass().isArray()) {
            return String.valueOf(message);
        }
        if (message instanceof byte[] bytes) {
            return typeWithLength(message, bytes.length) + " " + escaped(bytes);
        }
        String nested = Arrays.deepToString(new Object[] {message});
        return typeWithLength(message, Array.getLength(message)) + " "
                + nested.substring(1, nested.length() - 1);
    }

    /**
     * Returns {@code messages} as a bracketed list of {@link #of} each: the first {@value #MAX_LISTED},
     * then how many more there are.
     */
    static String all(List<?> messages) {
        String listed = messages.stream().limit(MAX_LISTED).map(Printed::of)
                .collect(Collectors.joining(", ", "[", "]"));
        return messages.size() <= MAX_LISTED ? listed : listed + " … and " + (messages.size() - MAX_LISTED) + " more";
    }

    /** Returns the name of {@code message}'s class, readable for arrays ({@code byte[]}, not {@code [B}). */
    static String type(Object message) {
        return message.getClass().getTypeName();
    }

    /** {@code byte[]} with 5 elements is {@code byte[5]}; {@code String[][]} with 2 is {@code String[2][]}. */
    private static String typeWithLength(Object array, int length) {
        String name = array.getClass().getSimpleName();
        int open = name.indexOf('[');
        return name.substring(0, open + 1) + length + name.substring(open + 1);
    }

    private static String escaped(byte[] bytes) {
        int shown = Math.min(bytes.length, MAX_BYTES);
        StringBuilder s = new StringBuilder(shown + 16).append('"');
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        s.append((char) b);
                    } else {
                        s.append("\\x").append(HEX[b >>> 4]).append(HEX[b & 0xf]);
                    }
                }
            }
        }
        s.append('"');
        if (shown < bytes.length) {
            s.append(" … ").append(bytes.length - shown).append(" more bytes");
        }
        return s.toString();
    }
}
