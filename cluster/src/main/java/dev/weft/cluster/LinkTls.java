package dev.weft.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Mutual TLS for the links between runtimes, from PEM files. Every runtime both serves links and
 * opens them, so one identity does both: it proves this runtime to the runtimes it links to and to
 * those that link to it, and only holders of a certificate in {@code trusted} are let in, either way.
 * A link to a runtime whose certificate does not name the host it is reached at (its
 * {@link ClusterOptions#host()}) is refused, as HTTPS refuses it.
 *
 * <pre>{@code
 * ClusterOptions.of("node-a", "http://127.0.0.1:2379")
 *         .withTls(new LinkTls(Path.of("node-a.pem"), Path.of("node-a-key.pem"), Path.of("cluster-ca.pem")));
 * }</pre>
 *
 * @param certificateChain this runtime's certificate chain, PEM
 * @param privateKey its private key, unencrypted PKCS#8 PEM
 * @param trusted the certificates (a cluster CA, or each peer's own) that a peer's chain must lead to, PEM
 */
public record LinkTls(Path certificateChain, Path privateKey, Path trusted) {

    public LinkTls {
        readable(certificateChain, "certificate chain");
        readable(privateKey, "private key");
        readable(trusted, "trusted certificates");
    }

    private static void readable(Path file, String what) {
        Objects.requireNonNull(file, what);
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException("the link TLS " + what + " " + file + " is not a readable file");
        }
    }
}
