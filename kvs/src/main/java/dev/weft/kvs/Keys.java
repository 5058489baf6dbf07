package dev.weft.kvs;

import java.util.ArrayList;
import java.util.List;

/** Parses dot-separated keys: {@code "a.b.c"}; empty segments are ignored, so {@code "."} is the root. */
final class Keys {
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
