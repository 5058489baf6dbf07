package dev.weft.kvs;

import java.util.List;

/** A view of a remote namespace at one version: each read a round trip at that version. */
final class RemoteView implements View {
    private final RemoteNamespace ns;
    private final long version;

    RemoteView(RemoteNamespace ns, long version) {
        this.ns = ns;
        this.version = version;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public Entry entry(String key) throws InterruptedException {
        return ns.entry(key, version);
    }

    @Override
    public List<String> list(String dir) throws InterruptedException {
        return ns.list(dir, version);
    }

    @Override
    public String toString() {
        return ns.name() + "@" + version;
    }
}
