package dev.weft.actors.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;

/** The peer's ordinary ways of going away are told apart from real I/O failures. */
class PeerGoneTest {

    @Test
    void resetsBrokenPipesAndRefusalsAreThePeerGoingAway() {
        assertThat(PeerGone.test(new SocketException("Connection reset"))).isTrue();
        assertThat(PeerGone.test(new IOException("Connection reset by peer"))).isTrue();
        assertThat(PeerGone.test(new IOException("Broken pipe"))).isTrue();
        assertThat(PeerGone.test(new ConnectException("Connection refused"))).isTrue();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(PeerGone.test(new IOException("No space left on device"))).isFalse();
        assertThat(PeerGone.test(new ClosedChannelException())).isFalse();
        assertThat(PeerGone.test(new SocketException((String) null))).isFalse();
        assertThat(PeerGone.test(new IllegalStateException("connection reset"))).isFalse();
    }
}
