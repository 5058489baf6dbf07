package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.runtime.Weft;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Owners of namespaces enforced over the network: a client authenticated as a user may use only the
 * namespaces that user owns, the store's owner everything.
 */
class NamespaceOwnerTest {
    private static final String OWNER_TOKEN = "owner-secret";
    private static final String ALICE_TOKEN = "alice-secret";
    private static final String BOB_TOKEN = "bob-secret";

    private Weft weft;
    private Kvs kvs;
    private KvsServer server;
    private KvsClient owner;
    private KvsClient alice;
    private KvsClient bob;

    @BeforeEach
    void serve() throws Exception {
        weft = Weft.start();
        kvs = Kvs.inMemory();
        server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withToken(OWNER_TOKEN)
                .withUser("alice", ALICE_TOKEN).withUser("bob", BOB_TOKEN));
        owner = KvsClient.connect(server.address(), OWNER_TOKEN);
        owner.createNamespace("a", "alice");
        owner.createNamespace("b", "bob");
        owner.namespace("b").put("secret", "bob's");
        alice = KvsClient.connect(server.address(), ALICE_TOKEN);
        bob = KvsClient.connect(server.address(), BOB_TOKEN);
    }

    @AfterEach
    void stop() {
        owner.close();
        alice.close();
        bob.close();
        weft.close();
        kvs.close();
    }

    @Test
    void aUserReadsWritesWatchesAndWaitsOnTheNamespacesItOwns() throws Exception {
        Namespace a = alice.namespace("a");
        BlockingQueue<WatchEvent> events = new LinkedBlockingQueue<>();
        a.watch("k", WatchMode.VALUE, events::add);
        long v = a.put("k", "mine");

        assertThat(a.getString("k")).isEqualTo("mine");
        assertThat(a.waitVersion(v, Duration.ofSeconds(5))).isTrue();
        assertThat(events.poll(10, TimeUnit.SECONDS)).isInstanceOf(WatchEvent.Value.class);
        WatchEvent.Value changed = (WatchEvent.Value) events.poll(10, TimeUnit.SECONDS);
        assertThat(changed).isNotNull();
        assertThat(changed.version()).isEqualTo(v);
        assertThat(alice.namespaces()).as("a user lists only its own namespaces").extracting(NamespaceInfo::name)
                .containsExactly("a");
        assertThat(owner.namespaces()).extracting(NamespaceInfo::name).containsExactly("a", "b", "primary");
    }

    @Test
    void aUserCannotUseANamespaceAnotherOwnsNorReachItThroughASymlink() throws Exception {
        Namespace b = alice.namespace("b");
        long before = owner.namespace("b").version();

        assertThatThrownBy(() -> b.get("secret")).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("user 'alice' may not use namespace 'b'").hasMessageContaining("'bob'");
        assertThatThrownBy(() -> b.put("secret", "stolen")).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> b.list(".")).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> b.readlink("secret")).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(b::version).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> b.waitVersion(1, Duration.ofSeconds(1))).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> b.watch("secret", WatchMode.VALUE, e -> { }))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> alice.primary().get("x")).as("primary belongs to the store's owner")
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> bob.namespace("a").put("k", "x")).isInstanceOf(PermissionDeniedException.class);

        alice.namespace("a").symlink("peek", "b::secret");
        assertThatThrownBy(() -> alice.namespace("a").get("peek")).as("a symlink does not open another's namespace")
                .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("'b'");
        assertThat(alice.namespace("a").readlink("peek").link()).as("the link itself is alice's").isEqualTo("b::secret");
        assertThat(owner.namespace("a").getString("peek")).as("the owner follows it").isEqualTo("bob's");
        assertThat(owner.namespace("b").version()).as("nothing was written to b").isEqualTo(before);
        assertThat(owner.namespace("b").getString("secret")).isEqualTo("bob's");
        assertThat(alice.isOpen()).as("a refusal keeps the connection").isTrue();
    }

    @Test
    void onlyTheStoresOwnerCreatesAndRemovesNamespaces() throws Exception {
        assertThatThrownBy(() -> alice.createNamespace("c", "alice")).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("only the store's owner");
        assertThatThrownBy(() -> alice.removeNamespace("a")).isInstanceOf(PermissionDeniedException.class);
        assertThat(owner.namespaces()).extracting(NamespaceInfo::name).containsExactly("a", "b", "primary");

        owner.createNamespace("c", "alice");
        assertThat(alice.namespace("c").put("k", "v")).isEqualTo(1);
        owner.removeNamespace("c");
        assertThatThrownBy(() -> alice.namespace("c").get("k")).isInstanceOf(NoSuchNamespaceException.class);
    }

    @Test
    void everyClientMustPresentAKnownTokenAndEachTokenNamesOnePrincipal() throws Exception {
        assertThatThrownBy(() -> KvsClient.connect(server.address(), "nobody's"))
                .isInstanceOf(AuthenticationException.class);
        try (KvsClient anonymous = KvsClient.connect(server.address())) {
            assertThatThrownBy(() -> anonymous.namespace("a").get("k")).isInstanceOf(AuthenticationException.class);
        }
        assertThatThrownBy(() -> KvsServerOptions.loopback(0).withToken("same").withUser("carol", "same"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shares a token");
        assertThatThrownBy(() -> KvsServer.start(weft, kvs, KvsServerOptions.loopback(0).withUser(kvs.options().owner(), "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("store's owner");
        assertThat(KvsServerOptions.loopback(0).withUser("dave", "hidden").toString()).contains("dave")
                .doesNotContain("hidden");
    }
}
