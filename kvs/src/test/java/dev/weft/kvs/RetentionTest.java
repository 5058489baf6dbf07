package dev.weft.kvs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** In process, a namespace keeps its last {@link KvsOptions#retainVersions()} roots for reads at them. */
class RetentionTest {
    private final Kvs kvs = Kvs.inMemory();
    private final Namespace ns = kvs.primary();

    @AfterEach
    void close() {
        kvs.close();
    }

    @Test
    void readsAtARetainedOlderVersionAndRefusesOnesNoLongerKept() throws Exception {
        int retained = kvs.options().retainVersions();
        long first = ns.commit(new Txn().put("k", "0"));
        for (int i = 1; i <= retained; i++) {
            ns.commit(new Txn().put("k", Integer.toString(i)));
        }

        assertThat(ns.at(first + 1).getString("k")).isEqualTo("1");
        assertThatThrownBy(() -> ns.at(first)).isInstanceOfSatisfying(VersionNotRetainedException.class, e -> {
            assertThat(e.version()).isEqualTo(first);
            assertThat(e.latest()).isEqualTo(first + retained);
        });
        assertThatThrownBy(() -> ns.at(ns.version() + 1)).isInstanceOf(VersionNotRetainedException.class);
    }
}
