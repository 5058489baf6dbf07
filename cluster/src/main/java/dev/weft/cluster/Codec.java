package dev.weft.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns messages of one type into bytes and back, for a link to another runtime. Both ends of a link
 * use codecs of the same message type; the type's name travels in the handshake, the codec's bytes
 * in every message. Weft never uses Java serialization.
 *
 * <pre>{@code
 * Codec<Quote> quotes = Codec.json(Quote.class);     // a record, through Jackson
 * cluster.share(QUOTES, quotes);                     // QUOTES is cluster-wide now
 * Sink<Quote> remote = weft.services().lookup(QUOTES);
 * }</pre>
 *
 * @param <T> the message type
 */
public interface Codec<T> {

    /** Returns the type of message this codec handles. */
    Class<T> type();

    /** Encodes one message; the array is not kept by the caller after the send. */
    byte[] encode(T message);

    /**
     * Decodes one message.
     *
     * @throws RuntimeException if the bytes are not a message of this type; the receiving end then
     *     closes the stream they came on as a bad frame
     */
    T decode(byte[] bytes);

    /** Returns the codec that sends byte arrays as they are. */
    static Codec<byte[]> bytes() {
        return new Codec<>() {
            @Override
            public Class<byte[]> type() {
                return byte[].class;
            }

            @Override
            public byte[] encode(byte[] message) {
                return message;
            }

            @Override
            public byte[] decode(byte[] bytes) {
                return bytes;
            }
        };
    }

    /** Returns the codec that sends strings as UTF-8. */
    static Codec<String> strings() {
        return new Codec<>() {
            @Override
            public Class<String> type() {
                return String.class;
            }

            @Override
            public byte[] encode(String message) {
                return message.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public String decode(byte[] bytes) {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        };
    }

    /**
     * Returns a codec that sends records (and other Jackson-mappable classes) as JSON through
     * Jackson's {@code ObjectMapper}. Components of the record must be mappable too.
     */
    static <R> Codec<R> json(Class<R> type) {
        return json(type, new ObjectMapper());
    }

    /** Returns a JSON codec that uses {@code mapper}, configured by the caller (modules, features). */
    static <R> Codec<R> json(Class<R> type, ObjectMapper mapper) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(mapper, "mapper");
        return new Codec<>() {
            @Override
            public Class<R> type() {
                return type;
            }

            @Override
            public byte[] encode(R message) {
                try {
                    return mapper.writeValueAsBytes(message);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot encode " + type.getName() + " as JSON: " + e.getMessage(), e);
                }
            }

            @Override
            public R decode(byte[] bytes) {
                try {
                    return mapper.readValue(bytes, type);
                } catch (IOException e) {
                    throw new UncheckedIOException("not a " + type.getName() + " in JSON: " + e.getMessage(), e);
                }
            }
        };
    }
}
