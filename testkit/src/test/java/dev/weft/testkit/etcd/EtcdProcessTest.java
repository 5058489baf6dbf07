package dev.weft.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EtcdProcessTest {
    @Test
    void startsHealthyOnLoopbackWithItsOwnDataDirectory() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            assertThat(etcd.isHealthy()).as("healthy after start").isTrue();
            assertThat(etcd.isLeader()).as("a single member leads itself").isTrue();
            assertThat(etcd.endpoint()).startsWith("http://127.0.0.1:");
            assertThat(etcd.dataDir().resolve("member")).as("etcd's member directory").isDirectory();
            assertThat(etcd.etcdctl("put", "greeting", "hello")).isEqualTo("OK");
            assertThat(etcd.etcdctl("get", "greeting", "--print-value-only")).isEqualTo("hello");
        }
    }

    @Test
    void aKeyWrittenWithEtcdctlSurvivesKillNineAndARestartOnTheSameData() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            String endpoint = etcd.endpoint();
            long firstPid = etcd.pid();
            etcd.etcdctl("put", "survivor", "still here");

            etcd.kill();

            assertThat(etcd.isAlive()).isFalse();
            assertThat(etcd.isHealthy()).isFalse();
            assertThatThrownBy(() -> etcd.etcdctl("get", "survivor", "--dial-timeout=500ms", "--command-timeout=1s"))
                    .as("nothing answers on the client port of a killed member")
                    .hasMessageContaining("exited with");

            etcd.restart();

            assertThat(etcd.pid()).as("a new process").isNotEqualTo(firstPid);
            assertThat(etcd.endpoint()).as("same ports").isEqualTo(endpoint);
            assertThat(etcd.isHealthy()).isTrue();
            assertThat(etcd.etcdctl("get", "survivor", "--print-value-only")).isEqualTo("still here");
        }
    }

    @Test
    void stopEndsTheProcessWithSigtermAndItRestartsOnTheSameData() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            etcd.etcdctl("put", "k", "v");

            etcd.stop();

            assertThat(etcd.isAlive()).isFalse();
            assertThat(Files.readString(etcd.logFile())).as("etcd's log shows the signal it got")
                    .contains("received signal; shutting down");
            etcd.restart();
            assertThat(etcd.etcdctl("get", "k", "--print-value-only")).isEqualTo("v");
        }
    }

    @Test
    void restartOfARunningMemberIsRefused() throws Exception {
        try (EtcdProcess etcd = EtcdProcess.start()) {
            assertThatThrownBy(etcd::restart)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("still running").hasMessageContaining("kill() or stop()");
            assertThat(etcd.isHealthy()).as("the running member is untouched").isTrue();
        }
    }

    @Test
    void closeKillsTheProcessAndDeletesItsDirectory() throws Exception {
        EtcdProcess etcd = EtcdProcess.start();
        Path dir = etcd.dataDir().getParent();
        ProcessHandle handle = ProcessHandle.of(etcd.pid()).orElseThrow();

        etcd.close();

        assertThat(handle.isAlive()).isFalse();
        assertThat(dir).doesNotExist();
    }
}
