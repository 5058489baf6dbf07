package dev.weft.kvs;

/** A namespace's tree at one root version. */
record Root(long version, Node.Dir dir) {
    static final Root EMPTY = new Root(0, Node.Dir.EMPTY);
}
