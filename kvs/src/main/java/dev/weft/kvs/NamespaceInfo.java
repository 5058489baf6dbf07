package dev.weft.kvs;

/** A namespace's name, owner and latest durable root version. */
public record NamespaceInfo(String name, String owner, long version) {
}
