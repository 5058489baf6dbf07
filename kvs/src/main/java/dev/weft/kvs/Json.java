package dev.weft.kvs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Just enough JSON for eventlogs (RFC 8259): validate a value and write it without insignificant
 * whitespace, read an object's members as raw values, and quote a string. No dependency, no object
 * model; every fault is a {@link KvsException} that says where.
 */
final class Json {
    private static final int MAX_DEPTH = 256;

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Returns {@code text} (one JSON value) without insignificant whitespace. */
    static String compact(String text) {
        Json p = new Json(text);
        StringBuilder out = new StringBuilder(text.length());
        p.ws();
        p.value(out, 0);
        p.ws();
        p.checkEnd();
        return out.toString();
    }

    /** Returns the members of the JSON object {@code text}: names decoded, values as compact JSON text. */
    static Map<String, String> members(String text) {
        Json p = new Json(text);
        Map<String, String> members = new LinkedHashMap<>();
        p.ws();
        p.expect('{');
        p.ws();
        if (p.peek() == '}') {
            p.i++;
        } else {
            for (;;) {
                p.ws();
                StringBuilder name = new StringBuilder();
                p.string(name);
                p.ws();
                p.expect(':');
                p.ws();
                StringBuilder value = new StringBuilder();
                p.value(value, 1);
                members.put(unquote(name.toString()), value.toString());
                p.ws();
                char c = p.next();
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    throw p.error("expected ',' or '}'");
                }
            }
        }
        p.ws();
        p.checkEnd();
        return members;
    }

    /** Returns {@code value} as a JSON string literal. */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int k = 0; k < value.length(); k++) {
            char c = value.charAt(k);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Decodes a JSON string literal (as {@link #compact} returns it). */
    static String unquote(String literal) {
        Json p = new Json(literal);
        StringBuilder out = new StringBuilder(literal.length());
        p.expect('"');
        for (;;) {
            char c = p.next();
            if (c == '"') {
                break;
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = p.next();
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append((char) Integer.parseInt(p.take(4), 16));
                default -> throw p.error("bad escape \\" + e);
            }
        }
        p.checkEnd();
        return out.toString();
    }

    // ---------------------------------------------------------------- the grammar

    private void value(StringBuilder out, int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested more than " + MAX_DEPTH + " deep");
        }
        char c = peek();
        switch (c) {
            case '{' -> container(out, depth, '}', true);
            case '[' -> container(out, depth, ']', false);
            case '"' -> string(out);
            case 't' -> literal(out, "true");
            case 'f' -> literal(out, "false");
            case 'n' -> literal(out, "null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number(out);
                } else {
                    throw error("unexpected '" + c + "'");
                }
            }
        }
    }

    private void container(StringBuilder out, int depth, char close, boolean object) {
        out.append(next());
        ws();
        if (peek() == close) {
            out.append(next());
            return;
        }
        for (;;) {
            ws();
            if (object) {
                string(out);
                ws();
                expect(':');
                out.append(':');
                ws();
            }
            value(out, depth + 1);
            ws();
            char c = next();
            if (c == close) {
                out.append(c);
                return;
            }
            if (c != ',') {
                throw error("expected ',' or '" + close + "'");
            }
            out.append(',');
        }
    }

    private void string(StringBuilder out) {
        int start = i;
        expect('"');
        for (;;) {
            char c = next();
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                throw error("a control character inside a string");
            }
            if (c == '\\') {
                char e = next();
                if (e == 'u') {
                    String hex = take(4);
                    if (!hex.matches("[0-9a-fA-F]{4}")) {
                        throw error("bad \\u escape");
                    }
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    throw error("bad escape \\" + e);
                }
            }
        }
        out.append(s, start, i);
    }

    private void number(StringBuilder out) {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        digits(true);
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            digits(false);
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            digits(false);
        }
        out.append(s, start, i);
    }

    private void digits(boolean integerPart) {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        if (i == start || (integerPart && i - start > 1 && s.charAt(start) == '0')) {
            throw error("a malformed number");
        }
    }

    private void literal(StringBuilder out, String word) {
        if (!s.startsWith(word, i)) {
            throw error("expected " + word);
        }
        i += word.length();
        out.append(word);
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        return s.charAt(i);
    }

    private char next() {
        char c = peek();
        i++;
        return c;
    }

    private String take(int n) {
        if (i + n > s.length()) {
            throw error("unexpected end");
        }
        String t = s.substring(i, i + n);
        i += n;
        return t;
    }

    private void expect(char c) {
        if (next() != c) {
            i--;
            throw error("expected '" + c + "'");
        }
    }

    private void checkEnd() {
        if (i != s.length()) {
            throw error("unexpected text after the value");
        }
    }

    private KvsException error(String what) {
        return new KvsException("not JSON: " + what + " at offset " + i + " of '" + abbreviated() + "'");
    }

    private String abbreviated() {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
