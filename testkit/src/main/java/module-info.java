/**
 * JUnit 5 support for testing Weft components ({@link dev.weft.testkit}): a runtime per test,
 * probes to assert on what components send, and a harness that runs one component against fake
 * boxes; and {@link dev.weft.testkit.etcd}, a real etcd on loopback for tests of code that talks to it.
 */
module dev.weft.testkit {
    requires transitive dev.weft.runtime;
    requires transitive org.junit.jupiter.api; // WeftExtension is a JUnit extension
    requires java.net.http; // EtcdProcess asks etcd's /health

    exports dev.weft.testkit;
    exports dev.weft.testkit.etcd;
}
