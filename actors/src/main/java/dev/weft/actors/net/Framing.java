package dev.weft.actors.net;

import dev.weft.actors.flow.Stage;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How messages are cut out of a byte stream, and put back into one. TCP delivers bytes in chunks of
 * any size: a {@link SocketAdapter}'s chunk may hold half a message, or three and a half. A framing's
 * {@link #decoder()} is a {@link Stage} that takes those chunks and sends whole frames, and its
 * {@link #encoder()} is the stage that turns frames back into bytes the decoder at the other end
 * cuts the same way.
 *
 * <pre>{@code
 * Framing<String> lines = Framing.lines(4096);     // UTF-8, "\n" or "\r\n", lines of at most 4096 bytes
 * TcpServer upper = weft.spawn(new TcpServer(7009, adapter -> {
 *     Pipeline<byte[], byte[]> shout = Pipeline.from(byte[].class)
 *             .then(lines.decoder(adapter))
 *             .map(line -> line.toUpperCase(Locale.ROOT))
 *             .then(lines.encoder(adapter))
 *             .build();
 *     adapter.outbox.linkTo(shout.inbox);
 *     adapter.signal.linkTo(shout.control);
 *     shout.outbox.linkTo(adapter.inbox);
 *     shout.signal.linkTo(adapter.control);
 *     weft.spawn(shout);
 * }));
 * }</pre>
 *
 * <p>Three framings, as in Erlang's {@code {packet, line}} and {@code {packet, N}} and Pekko's
 * {@code Framing}:
 * <ul>
 * <li>{@link #delimiter(byte[], int)}: frames end with a delimiter of one or more bytes, which is not
 *     part of the frame;
 * <li>{@link #lines(int)}: frames are lines ending with {@code "\n"}, decoded to {@code String}s;
 * <li>{@link #lengthPrefix(int, int)}: each frame follows its length as a big-endian number of 1, 2
 *     or 4 bytes.
 * </ul>
 *
 * <p><b>Limits.</b> Each framing has a maximum frame length in bytes, delimiter and length field not
 * counted. A decoder that meets a longer frame fails with a {@link FramingException} that names the
 * stage and the maximum, as soon as the length is certain (an announced length, a delimiter, or
 * enough bytes without one), so a peer cannot make it hold more than about one maximum frame. An
 * encoder refuses such a frame too (the peer's decoder would), and a frame that would not arrive
 * intact: one with the delimiter inside it. A connection's stages, made by
 * {@link #decoder(SocketAdapter)} and {@link #encoder(SocketAdapter)}, are named after its peer, and
 * a framing error also shuts that connection (and only that one) down.
 *
 * <p><b>End of input.</b> When {@link dev.weft.runtime.ProducerFinished} arrives (the peer shut its
 * output down), a delimiter decoder sends the bytes after the last delimiter as one last frame (a
 * last line without {@code "\n"} is not lost), unless the framing is {@link #strict()}, which refuses
 * it with a {@link FramingException}. A length-prefix decoder is always strict: a frame cut short is
 * never a frame. On {@link dev.weft.runtime.Shutdown} the decoder ends at once and the partial frame
 * is dropped.
 *
 * <p>A framing is an immutable description, safe to share; each {@code decoder()} or {@code encoder()}
 * call makes a new stage (one per connection).
 *
 * @param <F> what a frame is: {@code byte[]}, or {@code String} for lines
 */
public abstract sealed class Framing<F> permits DelimiterFraming, LengthPrefixFraming {
    private static final AtomicLong IDS = new AtomicLong();
    private final String kind;

    /** {@code kind} names the stages: {@code lines-decoder#3}. */
    Framing(String kind) {
        this.kind = kind;
    }

    /**
     * Frames that end with {@code delimiter}, which is not part of them; an empty frame is two
     * delimiters in a row.
     *
     * @param maximumFrameLength the longest frame allowed, in bytes, delimiter not counted
     * @throws IllegalArgumentException if the delimiter is empty or the maximum negative
     */
    public static Framing<byte[]> delimiter(byte[] delimiter, int maximumFrameLength) {
        return DelimiterFraming.ofBytes(delimiter, maximumFrameLength);
    }

    /**
     * Lines in UTF-8, ending with {@code "\n"} or {@code "\r\n"}; the line end is not part of the line.
     * Malformed bytes decode to U+FFFD, as in {@link String#String(byte[], Charset)}.
     *
     * @param maximumLineLength the longest line allowed, in bytes, line end not counted
     */
    public static Framing<String> lines(int maximumLineLength) {
        return lines(StandardCharsets.UTF_8, true, maximumLineLength);
    }

    /**
     * Lines in {@code charset}, ending with {@code "\n"}, or also with {@code "\r\n"} if
     * {@code stripCarriageReturn}: a {@code '\r'} right before the {@code '\n'} is then dropped with
     * it (not one at the end of a last, unterminated line). The encoder ends each line with
     * {@code "\n"}.
     *
     * @param maximumLineLength the longest line allowed, in bytes, line end not counted
     * @throws IllegalArgumentException if {@code charset} does not write {@code '\n'} as the one byte
     *     {@code 0x0a} (UTF-16 does not: use {@link #delimiter} and decode yourself)
     */
    public static Framing<String> lines(Charset charset, boolean stripCarriageReturn, int maximumLineLength) {
        return DelimiterFraming.ofLines(charset, stripCarriageReturn, maximumLineLength);
    }

    /**
     * Frames that each follow their length, a big-endian unsigned number of {@code fieldBytes} bytes
     * (1, 2 or 4), like Erlang's {@code {packet, N}}. A length of zero is an empty frame.
     *
     * @param maximumFrameLength the longest frame allowed, in bytes, length field not counted; at most
     *     255 for a 1-byte field and 65535 for a 2-byte one
     * @throws IllegalArgumentException if {@code fieldBytes} is not 1, 2 or 4, or the field cannot
     *     express the maximum
     */
    public static Framing<byte[]> lengthPrefix(int fieldBytes, int maximumFrameLength) {
        return new LengthPrefixFraming(fieldBytes, maximumFrameLength);
    }

    /**
     * Returns this framing with strict termination: a decoder whose input ends after a partial frame
     * fails with a {@link FramingException} instead of sending it. Length prefixes are always strict.
     */
    public abstract Framing<F> strict();

    /** Returns a new stage that cuts chunks of bytes into frames. */
    public final Stage<byte[], F> decoder() {
        return decoder(kind + "-decoder#" + IDS.incrementAndGet(), null);
    }

    /** Returns a new decoder named {@code name}, for logs and errors. */
    public final Stage<byte[], F> decoder(String name) {
        return decoder(Objects.requireNonNull(name, "name"), null);
    }

    /**
     * Returns a new decoder for the bytes {@code connection} reads, named after its peer
     * ({@code lines-decoder<-/10.0.0.7:4242}). A {@link FramingException} also shuts the connection
     * down, so a peer that breaks the framing loses its connection at once. Link it as usual.
     */
    public final Stage<byte[], F> decoder(SocketAdapter connection) {
        return decoder(kind + "-decoder<-" + peer(connection), connection);
    }

    /** Returns a new stage that turns each frame into one chunk of bytes, delimiter or length field included. */
    public final Stage<F, byte[]> encoder() {
        return encoder(kind + "-encoder#" + IDS.incrementAndGet(), null);
    }

    /** Returns a new encoder named {@code name}, for logs and errors. */
    public final Stage<F, byte[]> encoder(String name) {
        return encoder(Objects.requireNonNull(name, "name"), null);
    }

    /**
     * Returns a new encoder for the bytes {@code connection} writes, named after its peer
     * ({@code lines-encoder->/10.0.0.7:4242}); a {@link FramingException} also shuts the connection
     * down. Link it as usual.
     */
    public final Stage<F, byte[]> encoder(SocketAdapter connection) {
        return encoder(kind + "-encoder->" + peer(connection), connection);
    }

    /** Returns what this framing is called in stage names: {@code lines}, {@code delimiter}, {@code length-prefix}. */
    final String kind() {
        return kind;
    }

    /** Makes a decoder; {@code connection} is the adapter to shut down on a framing error, or null. */
    abstract Stage<byte[], F> decoder(String name, SocketAdapter connection);

    /** Makes an encoder; {@code connection} is the adapter to shut down on a framing error, or null. */
    abstract Stage<F, byte[]> encoder(String name, SocketAdapter connection);

    /** Returns the peer's address, or the adapter's name before it connects or after it closed. */
    private static String peer(SocketAdapter connection) {
        try {
            SocketAddress peer = connection.channel().getRemoteAddress();
            return peer != null ? peer.toString() : connection.name();
        } catch (IOException closed) {
            return connection.name();
        }
    }
}
