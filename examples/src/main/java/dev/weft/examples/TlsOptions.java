package dev.weft.examples;

import dev.weft.actors.net.Tls;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --tls-*} options, as picocli mixins: {@link Server} for {@code weft run kvs-server},
 * {@link Client} for {@code weft kvs}. Each side takes its certificate as PEM files or a key store,
 * and whom it trusts as a PEM file or a trust store. Files are read when the command starts; a wrong
 * path, password or key is a usage error that names the file.
 */
final class TlsOptions {
    private TlsOptions() {
    }

    /** A server's certificate (PEM or key store) and, for mutual TLS, the CAs of its clients. */
    static final class Server {
        @Option(names = "--tls-cert", paramLabel = "FILE",
                description = "Serve TLS with this PEM certificate chain (the leaf first); needs --tls-key.")
        Path certificate;

        @Option(names = "--tls-key", paramLabel = "FILE",
                description = "The PEM private key of --tls-cert (unencrypted PKCS#8, '-----BEGIN PRIVATE KEY-----').")
        Path key;

        @Option(names = "--tls-keystore", paramLabel = "FILE",
                description = "Serve TLS with the key and certificate in this PKCS#12 or JKS key store, instead of "
                        + "--tls-cert/--tls-key.")
        Path keyStore;

        @Option(names = "--tls-keystore-password", paramLabel = "PASSWORD",
                defaultValue = "${env:WEFT_TLS_KEYSTORE_PASSWORD}",
                description = "The key store's password (default: $WEFT_TLS_KEYSTORE_PASSWORD).")
        String keyStorePassword;

        @Option(names = "--tls-client-ca", paramLabel = "FILE",
                description = "Require every client to present a certificate signed by one in this PEM file "
                        + "(mutual TLS).")
        Path clientCa;

        @Option(names = "--tls-client-truststore", paramLabel = "FILE",
                description = "Require every client to present a certificate signed by one in this PKCS#12 or JKS "
                        + "trust store (mutual TLS), instead of --tls-client-ca.")
        Path clientTrustStore;

        @Option(names = "--tls-truststore-password", paramLabel = "PASSWORD",
                defaultValue = "${env:WEFT_TLS_TRUSTSTORE_PASSWORD}",
                description = "The trust store's password (default: $WEFT_TLS_TRUSTSTORE_PASSWORD; none if unset).")
        String trustStorePassword;

        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        /** Returns the TLS these options describe, or null for plain TCP. */
        Tls tls() {
            try {
                Tls.Identity identity = identity(command, certificate, key, keyStore, keyStorePassword);
                Tls.Trust clients = trust(command, "--tls-client-ca", clientCa, "--tls-client-truststore",
                        clientTrustStore, trustStorePassword);
                if (identity == null) {
                    if (clients != null) {
                        throw new ParameterException(command.commandLine(), "--tls-client-ca and "
                                + "--tls-client-truststore need the server's own certificate: --tls-cert/--tls-key or "
                                + "--tls-keystore");
                    }
                    return null;
                }
                Tls tls = Tls.server(identity);
                return clients == null ? tls : tls.withTrust(clients);
            } catch (IOException e) {
                throw new ParameterException(command.commandLine(), e.getMessage(), e);
            }
        }
    }

    /** Whether a client speaks TLS, whom it trusts, and its certificate for mutual TLS. */
    static final class Client {
        @Option(names = "--tls",
                description = "Speak TLS, trusting the JDK's certificate authorities unless --tls-ca or "
                        + "--tls-truststore says whom.")
        boolean enabled;

        @Option(names = "--tls-ca", paramLabel = "FILE",
                description = "Trust the server certificates signed by one in this PEM file (or the server's "
                        + "self-signed certificate itself); implies --tls.")
        Path ca;

        @Option(names = "--tls-truststore", paramLabel = "FILE",
                description = "Trust the server certificates signed by one in this PKCS#12 or JKS trust store, "
                        + "instead of --tls-ca; implies --tls.")
        Path trustStore;

        @Option(names = "--tls-truststore-password", paramLabel = "PASSWORD",
                defaultValue = "${env:WEFT_TLS_TRUSTSTORE_PASSWORD}",
                description = "The trust store's password (default: $WEFT_TLS_TRUSTSTORE_PASSWORD; none if unset).")
        String trustStorePassword;

        @Option(names = "--tls-cert", paramLabel = "FILE",
                description = "Present this PEM certificate to a server that asks for one (mutual TLS); needs "
                        + "--tls-key; implies --tls.")
        Path certificate;

        @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert.")
        Path key;

        @Option(names = "--tls-keystore", paramLabel = "FILE",
                description = "Present the certificate in this PKCS#12 or JKS key store (mutual TLS), instead of "
                        + "--tls-cert/--tls-key; implies --tls.")
        Path keyStore;

        @Option(names = "--tls-keystore-password", paramLabel = "PASSWORD",
                defaultValue = "${env:WEFT_TLS_KEYSTORE_PASSWORD}",
                description = "The key store's password (default: $WEFT_TLS_KEYSTORE_PASSWORD).")
        String keyStorePassword;

        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        /** Returns the TLS these options describe, or null for plain TCP. */
        Tls tls() {
            try {
                Tls.Trust trust = trust(command, "--tls-ca", ca, "--tls-truststore", trustStore, trustStorePassword);
                Tls.Identity identity = identity(command, certificate, key, keyStore, keyStorePassword);
                if (!enabled && trust == null && identity == null) {
                    return null;
                }
                Tls tls = trust == null ? Tls.client() : Tls.client().withTrust(trust);
                return identity == null ? tls : tls.withIdentity(identity);
            } catch (IOException e) {
                throw new ParameterException(command.commandLine(), e.getMessage(), e);
            }
        }
    }

    /** Reads the certificate given as PEM files or as a key store (not both); null if neither is given. */
    private static Tls.Identity identity(CommandSpec command, Path certificate, Path key, Path keyStore,
            String password) throws IOException {
        boolean pem = certificate != null || key != null;
        if (pem && keyStore != null) {
            throw new ParameterException(command.commandLine(), "give --tls-cert/--tls-key or --tls-keystore, not both");
        }
        if (pem && (certificate == null || key == null)) {
            throw new ParameterException(command.commandLine(), "--tls-cert and --tls-key go together");
        }
        if (pem) {
            return Tls.Identity.pem(certificate, key);
        }
        return keyStore == null ? null : Tls.Identity.keyStore(keyStore, chars(password));
    }

    /** Reads the certificates to trust, given as a PEM file or as a trust store (not both); null if neither is given. */
    private static Tls.Trust trust(CommandSpec command, String pemOption, Path pem, String storeOption, Path store,
            String password) throws IOException {
        if (pem != null && store != null) {
            throw new ParameterException(command.commandLine(), "give " + pemOption + " or " + storeOption + ", not both");
        }
        if (pem != null) {
            return Tls.Trust.pem(pem);
        }
        return store == null ? null : Tls.Trust.keyStore(store, chars(password));
    }

    private static char[] chars(String password) {
        return password == null || password.isEmpty() ? null : password.toCharArray();
    }
}
