package dev.weft.kvs.etcd;

import dev.weft.kvs.Entry;
import dev.weft.kvs.View;
import java.util.List;

/** A view of an etcd namespace at one revision: each read a range read at that revision. */
final class EtcdView implements View {
    private final EtcdNamespace ns;
    private final long revision;

    EtcdView(EtcdNamespace ns, long revision) {
        this.ns = ns;
        this.revision = revision;
    }

    @Override
    public long version() {
        return revision;
    }

    @Override
    public Entry entry(String key) throws InterruptedException {
        return ns.entry(key, revision);
    }

    @Override
    public List<String> list(String dir) throws InterruptedException {
        return ns.list(dir, revision);
    }

    @Override
    public String toString() {
        return ns.name() + "@" + revision;
    }
}
