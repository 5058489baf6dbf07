package dev.weft.kvs;

import java.io.IOException;
import java.net.URI;

/**
 * Opens stores of one location scheme for {@link KvsStore#open(String)}; found with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.weft.kvs.KvsStoreProvider}). A
 * backend module implements it; users never call it.
 */
public interface KvsStoreProvider {
    /** Returns the scheme this provider opens, such as {@code "etcd"}. */
    String scheme();

    /** Opens the store at {@code location}, whose scheme is {@link #scheme()}. */
    KvsStore open(URI location) throws IOException;
}
