package dev.weft.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class EtcdTest {
    private static final Path MISSING = Path.of("/nonexistent/weft/etcd");

    @Test
    void aMissingBinaryFailsTheTestUnderCi() {
        assertThatThrownBy(() -> Etcd.require(MISSING, true))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("CI=true")
                .hasMessageContaining("apt-get install etcd-server");
    }

    @Test
    void aMissingBinarySkipsTheTestOutsideCiAndSaysHowToInstallIt() {
        assertThatThrownBy(() -> Etcd.require(MISSING, false))
                .isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("apt-get install etcd-server")
                .hasMessageContaining("-Dweft.etcd=PATH");
        assertThatThrownBy(() -> Etcd.require(null, false)).isInstanceOf(TestAbortedException.class);
    }

    @Test
    void aConfiguredPathWinsOverTheUsualPlace() {
        assertThat(Etcd.locate("/opt/etcd/bin/etcd", "etcd")).isEqualTo(Path.of("/opt/etcd/bin/etcd"));
    }
}
