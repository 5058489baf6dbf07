package dev.weft.kvs.etcd;

import dev.weft.kvs.KvsStore;
import dev.weft.kvs.KvsStoreProvider;
import java.io.IOException;
import java.net.URI;

/**
 * Opens {@code etcd://host:port[,host:port...][/prefix/]} for {@link KvsStore#open(String)}; the
 * prefix defaults to {@value EtcdKvsOptions#DEFAULT_PREFIX}.
 */
public final class EtcdStoreProvider implements KvsStoreProvider {
    @Override
    public String scheme() {
        return "etcd";
    }

    @Override
    public KvsStore open(URI location) throws IOException {
        String authority = location.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("expected etcd://host:port[,host:port...][/prefix/], got '" + location + "'");
        }
        EtcdKvsOptions options = EtcdKvsOptions.of(authority.split(","));
        String path = location.getPath();
        if (path != null && path.length() > 1) {
            options = options.withPrefix(path.substring(1));
        }
        return EtcdKvs.connect(options);
    }
}
