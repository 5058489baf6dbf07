package dev.weft.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The access rule, with the peer and bind addresses given as values: no test binds or connects
 * from the host's real non-loopback interfaces. Addresses off loopback are from the documentation
 * ranges (192.0.2.0/24, 2001:db8::/32).
 */
class InspectAccessTest {
    private static final String TOKEN = "0123456789abcdef-token";
    private static final List<InetAddress> LOOPBACK_PEERS = List.of(ip("127.0.0.1"), ip("127.8.9.10"), ip("::1"));
    private static final List<InetAddress> REMOTE_PEERS = List.of(ip("192.0.2.7"), ip("2001:db8::7"));

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(literal + " is a literal address", e);
        }
    }

    @Test
    void protectedModeServesPeersOnLoopbackAndRefusesOthersSayingWhatToDo() {
        InspectAccess access = InspectAccess.protectedMode();

        assertThat(LOOPBACK_PEERS).allSatisfy(peer -> assertThat(access.admit(peer, null).admitted()).isTrue());
        assertThat(REMOTE_PEERS).allSatisfy(peer -> {
            InspectAccess.Verdict verdict = access.admit(peer, null);
            assertThat(verdict.status()).as("refusal of %s", peer).isEqualTo(403);
            assertThat(verdict.refusal()).contains("has no token", "--inspect-token", "--inspect-insecure");
        });
    }

    @Test
    void aTokenIsRequiredFromEveryPeerLoopbackIncluded() {
        InspectAccess access = InspectAccess.token(TOKEN);

        for (InetAddress peer : List.of(LOOPBACK_PEERS.get(0), REMOTE_PEERS.get(0), REMOTE_PEERS.get(1))) {
            assertThat(access.admit(peer, TOKEN).admitted()).as("%s with the token", peer).isTrue();
            assertThat(access.admit(peer, null).status()).as("%s without a token", peer).isEqualTo(401);
            assertThat(access.admit(peer, null).refusal()).contains("Authorization: Bearer", "?token=");
            for (String wrong : List.of("", "x", TOKEN.substring(1), TOKEN + "x", TOKEN.toUpperCase())) {
                InspectAccess.Verdict verdict = access.admit(peer, wrong);
                assertThat(verdict.status()).as("%s with '%s'", peer, wrong).isEqualTo(401);
                assertThat(verdict.refusal()).contains("wrong token");
            }
        }
    }

    @Test
    void insecureModeServesEveryPeer() {
        InspectAccess access = InspectAccess.insecure();

        assertThat(REMOTE_PEERS).allSatisfy(peer -> assertThat(access.admit(peer, null).admitted()).isTrue());
        assertThat(LOOPBACK_PEERS).allSatisfy(peer -> assertThat(access.admit(peer, "any").admitted()).isTrue());
    }

    @Test
    void onlyAServerBoundBeyondLoopbackWithoutATokenWarnsAtStart() {
        InetSocketAddress loopback = new InetSocketAddress(ip("127.0.0.1"), 8080);
        InetSocketAddress wildcard = new InetSocketAddress(ip("0.0.0.0"), 8080);
        InetSocketAddress lan = new InetSocketAddress(ip("192.0.2.1"), 9090);

        for (InspectAccess access : List.of(InspectAccess.protectedMode(), InspectAccess.insecure(),
                InspectAccess.token(TOKEN))) {
            assertThat(access.startWarning(loopback)).as("%s on loopback", access).isNull();
        }
        assertThat(InspectAccess.token(TOKEN).startWarning(wildcard)).isNull();
        assertThat(InspectAccess.insecure().startWarning(lan))
                .isEqualTo("the inspector on 192.0.2.1:9090 is insecure: it serves the component graph and metrics "
                        + "to anyone who can reach it, with no token");
        assertThat(InspectAccess.protectedMode().startWarning(wildcard))
                .startsWith("the inspector on 0.0.0.0:8080 has no token: it answers only clients on this host")
                .contains("--inspect-token", "--inspect-insecure");
    }

    @Test
    void aTokenThatCannotTravelInAHeaderIsRefusedAtOnce() {
        for (String bad : List.of("", "two words", "line\nbreak", "tab\t", "caf\u00e9")) {
            assertThatThrownBy(() -> InspectAccess.token(bad)).as("token '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("visible ASCII without spaces");
        }
        assertThatThrownBy(() -> InspectAccess.token(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("token");
    }

    @Test
    void theTokenNeverShowsInToString() {
        assertThat(InspectAccess.token(TOKEN).toString()).isEqualTo("InspectAccess[token]").doesNotContain(TOKEN);
        assertThat(InspectAccess.protectedMode()).hasToString("InspectAccess[protected mode]");
        assertThat(InspectAccess.insecure()).hasToString("InspectAccess[insecure]");
    }
}
