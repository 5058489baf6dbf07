/**
 * JUnit 5 support for testing Weft components ({@link dev.weft.testkit}): a runtime per test,
 * probes to assert on what components send, and a harness that runs one component against fake
 * boxes.
 */
module dev.weft.testkit {
    requires transitive dev.weft.runtime;
    requires transitive org.junit.jupiter.api; // WeftExtension is a JUnit extension

    exports dev.weft.testkit;
}
