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
 * {@link Client} for {@code weft kvs}. Files are read when the command starts; a wrong path, password
 * or key is a usage error that names the file.
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

        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        /** Returns the TLS these options describe, or null for plain TCP. */
        Tls tls() {
            boolean pem = certificate != null || key != null;
            if (pem && keyStore != null) {
                throw new ParameterException(command.commandLine(), "give --tls-cert/--tls-key or --tls-keystore, not both");
            }
            if (!pem && keyStore == null) {
                if (clientCa != null) {
                    throw new ParameterException(command.commandLine(), "--tls-client-ca needs the server's own "
                            + "certificate: --tls-cert/--tls-key or --tls-keystore");
                }
                return null;
            }
            if (pem && (certificate == null || key == null)) {
                throw new ParameterException(command.commandLine(), "--tls-cert and --tls-key go together");
            }
            try {
                Tls.Identity identity = pem ? Tls.Identity.pem(certificate, key)
                        : Tls.Identity.keyStore(keyStore, password(keyStorePassword));
                Tls tls = Tls.server(identity);
                return clientCa == null ? tls : tls.withTrust(Tls.Trust.pem(clientCa));
            } catch (IOException e) {
                throw new ParameterException(command.commandLine(), e.getMessage(), e);
            }
        }
    }

    /** Whether a client speaks TLS, whom it trusts, and its certificate for mutual TLS. */
    static final class Client {
        @Option(names = "--tls",
                description = "Speak TLS, trusting the JDK's certificate authorities unless --tls-ca says whom.")
        boolean enabled;

        @Option(names = "--tls-ca", paramLabel = "FILE",
                description = "Trust the server certificates signed by one in this PEM file (or the server's "
                        + "self-signed certificate itself); implies --tls.")
        Path ca;

        @Option(names = "--tls-cert", paramLabel = "FILE",
                description = "Present this PEM certificate to a server that asks for one (mutual TLS); needs "
                        + "--tls-key; implies --tls.")
        Path certificate;

        @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM private key of --tls-cert.")
        Path key;

        @Spec(Spec.Target.MIXEE)
        CommandSpec command;

        /** Returns the TLS these options describe, or null for plain TCP. */
        Tls tls() {
            if (!enabled && ca == null && certificate == null && key == null) {
                return null;
            }
            if ((certificate == null) != (key == null)) {
                throw new ParameterException(command.commandLine(), "--tls-cert and --tls-key go together");
            }
            try {
                Tls tls = Tls.client();
                if (ca != null) {
                    tls = tls.withTrust(Tls.Trust.pem(ca));
                }
                return certificate == null ? tls : tls.withIdentity(Tls.Identity.pem(certificate, key));
            } catch (IOException e) {
                throw new ParameterException(command.commandLine(), e.getMessage(), e);
            }
        }
    }

    private static char[] password(String password) {
        return password == null ? null : password.toCharArray();
    }
}
