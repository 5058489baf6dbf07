package dev.weft.kvs;

import java.util.ArrayList;
import java.util.List;

/**
 * Keys are dot-separated paths: {@code "a.b.c"} is value {@code c} in directory {@code b} in
 * directory {@code a}. Empty segments are ignored, so {@code "."} (or {@code ""}) is the root.
 */
public final class Keys {
    static final String[] ROOT = new String[0];

    private Keys() {
    }

    static String[] parse(String key) {
        if (key == null) {
            throw new KvsException("key must not be null");
        }
        List<String> parts = new ArrayList<>(4);
        int start = 0;
        for (int i = 0; i <= key.length(); i++) {
            if (i == key.length() || key.charAt(i) == '.') {
                if (i > start) {
                    parts.add(key.substring(start, i));
                }
                start = i + 1;
            }
        }
        return parts.isEmpty() ? ROOT : parts.toArray(String[]::new);
    }

    /**
     * Returns the segments of {@code key}, root first; empty for the root.
     *
     * @throws KvsException if {@code key} is null
     */
    public static List<String> segments(String key) {
        return List.of(parse(key));
    }

    static String[] parseNonRoot(String key) {
        String[] path = parse(key);
        if (path.length == 0) {
            throw new KvsException("the root directory cannot be the target of this operation");
        }
        return path;
    }

    static String join(String[] path) {
        return path.length == 0 ? "." : String.join(".", path);
    }

    static String child(String prefix, String name) {
        return prefix.isEmpty() || ".".equals(prefix) ? name : prefix + "." + name;
    }
}
