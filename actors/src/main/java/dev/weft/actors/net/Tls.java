package dev.weft.actors.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How one side of a connection speaks TLS: its role, the certificate it presents, whom it trusts, the
 * protocol versions and how long a handshake may take. Give it to a {@link TcpServer} (through
 * {@link TcpServerOptions#withTls}) or a {@link TcpClient} and every connection gets a TLS stage
 * between its socket and the boxes you link: they carry plaintext, the socket carries TLS records.
 *
 * <pre>{@code
 * Tls server = Tls.server(Tls.Identity.pem(Path.of("cert.pem"), Path.of("key.pem")));
 * Tls client = Tls.client().withTrust(Tls.Trust.pem(Path.of("cert.pem")));      // a self-signed server
 * Tls mutual = server.withTrust(Tls.Trust.pem(Path.of("clients-ca.pem")));       // clients need a certificate
 * }</pre>
 *
 * <p>A client checks the server's certificate against its trust (the JDK's certificate authorities
 * unless given one) and checks that the certificate names the host it connected to (its DNS or IP
 * subject alternative names), as HTTPS does. A server given a trust requires every client to present
 * a certificate signed by it (mutual TLS). TLS 1.3 and 1.2 are enabled by default; the JDK's own
 * rules disable older versions and weak ciphers. The files are read and checked when the identity or
 * trust is made, so a wrong path, password or key fails there, with the file's name in the message.
 *
 * <p>Instances are immutable; the {@code with...} methods return new ones.
 */
public final class Tls {
    /** How long a handshake may take before the connection is closed: 10 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** The protocol versions enabled unless told otherwise. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final boolean server;
    private final Identity identity;
    private final Trust trust;
    private final List<String> protocols;
    private final Duration handshakeTimeout;
    private final SSLContext context;

    private Tls(boolean server, Identity identity, Trust trust, List<String> protocols, Duration handshakeTimeout) {
        this.server = server;
        this.identity = identity;
        this.trust = trust;
        this.protocols = protocols;
        this.handshakeTimeout = handshakeTimeout;
        try {
            this.context = SSLContext.getInstance("TLS");
            context.init(identity == null ? null : identity.keyManagers, trust == null ? null : trust.trustManagers, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make a TLS context: " + e.getMessage(), e);
        }
        Set<String> supported = Set.of(context.getSupportedSSLParameters().getProtocols());
        for (String p : protocols) {
            if (!supported.contains(p)) {
                throw new IllegalArgumentException("this JDK does not support the TLS protocol '" + p + "'; it supports "
                        + supported);
            }
        }
    }

    /** The server side: presents {@code identity}; clients need no certificate unless {@link #withTrust} says whose. */
    public static Tls server(Identity identity) {
        return new Tls(true, Objects.requireNonNull(identity, "identity"), null, DEFAULT_PROTOCOLS,
                DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** The client side: trusts the JDK's certificate authorities and presents no certificate. */
    public static Tls client() {
        return new Tls(false, null, null, DEFAULT_PROTOCOLS, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /** Presents {@code id}: a server's certificate, or a client's for mutual TLS. */
    public Tls withIdentity(Identity id) {
        return new Tls(server, Objects.requireNonNull(id, "identity"), trust, protocols, handshakeTimeout);
    }

    /**
     * Trusts {@code t}: a client checks the server's certificate against it; a server requires every
     * client to present a certificate it trusts (mutual TLS).
     */
    public Tls withTrust(Trust t) {
        return new Tls(server, identity, Objects.requireNonNull(t, "trust"), protocols, handshakeTimeout);
    }

    /**
     * Enables only {@code versions} ({@code "TLSv1.3"}, {@code "TLSv1.2"}).
     *
     * @throws IllegalArgumentException if none is given or the JDK does not support one
     */
    public Tls withProtocols(String... versions) {
        if (versions.length == 0) {
            throw new IllegalArgumentException("give at least one TLS protocol version, e.g. TLSv1.3");
        }
        return new Tls(server, identity, trust, List.of(versions), handshakeTimeout);
    }

    /** Closes a connection whose handshake has not completed within {@code timeout}. */
    public Tls withHandshakeTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("a handshake timeout must be positive: " + timeout);
        }
        return new Tls(server, identity, trust, protocols, timeout);
    }

    /** Returns whether this is the server side. */
    public boolean isServer() {
        return server;
    }

    /** Returns whether a server requires client certificates (it was given a trust). */
    public boolean requiresClientCertificates() {
        return server && trust != null;
    }

    /** Returns the enabled protocol versions. */
    public List<String> protocols() {
        return protocols;
    }

    /** Returns how long a handshake may take. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Returns the JDK context this configuration made (for a blocking client's {@code SSLSocketFactory}). */
    public SSLContext context() {
        return context;
    }

    /** Returns the parameters every engine and socket of this configuration gets. */
    public SSLParameters parameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        if (server) {
            p.setNeedClientAuth(trust != null);
        } else {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        return p;
    }

    /** Makes an engine for one connection with {@code peer}. */
    SSLEngine engine(InetSocketAddress peer) {
        SSLEngine engine = server ? context.createSSLEngine() : context.createSSLEngine(peer.getHostString(), peer.getPort());
        engine.setUseClientMode(!server);
        engine.setSSLParameters(parameters());
        return engine;
    }

    /**
     * Returns {@code error} as an exception whose message names {@code peer} and, where the JDK's text
     * is cryptic, the likely reason ("the peer's certificate is not signed by anything this side
     * trusts", "the peer does not speak TLS"); the JDK's exception is its cause. One that names the
     * peer already is returned as it is.
     *
     * @param duringHandshake whether the handshake had not completed (the result is then an
     *     {@link SSLHandshakeException})
     */
    public static SSLException explain(SSLException error, String peer, boolean duringHandshake) {
        String message = String.valueOf(error.getMessage());
        if (message.contains(peer)) {
            return error;
        }
        String text = (duringHandshake ? "TLS handshake with " : "TLS with ") + peer + " failed: " + message
                + hint(error, message);
        SSLException explained = duringHandshake ? new SSLHandshakeException(text) : new SSLException(text);
        explained.initCause(error);
        return explained;
    }

    private static String hint(SSLException error, String message) {
        for (Throwable c = error; c != null; c = c.getCause()) {
            if (c instanceof CertificateException) {
                return message.contains("PKIX") || message.contains("certification path")
                        ? " (the peer's certificate is not signed by anything this side trusts: check the trust store "
                        + "or CA file)"
                        : " (the peer's certificate was refused: check its names, dates and signer)";
            }
        }
        if (message.contains("nrecognized SSL message")) {      // "Unrecognized SSL message, plaintext connection?"
            return " (the peer does not speak TLS: is it a plain TCP client?)";
        }
        if (message.contains("Received fatal alert")) {
            return " (the peer refused the handshake; its log says why)";
        }
        return "";
    }

    @Override
    public String toString() {
        return "Tls[" + (server ? "server" : "client") + ", identity=" + (identity == null ? "none" : identity)
                + ", trust=" + (trust == null ? (server ? "no client certificates" : "the JDK's CAs") : trust)
                + ", protocols=" + protocols + ", handshakeTimeout=" + handshakeTimeout + "]";
    }

    /** A certificate chain and its private key: what one side presents. */
    public static final class Identity {
        private final KeyManager[] keyManagers;
        private final String source;

        private Identity(KeyManager[] keyManagers, String source) {
            this.keyManagers = keyManagers;
            this.source = source;
        }

        /**
         * Reads a PEM certificate chain (the leaf first, then any intermediates) and its unencrypted
         * PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}), with the JDK alone.
         *
         * @throws IOException if a file cannot be read, holds no usable block, or the key does not
         *     belong to the first certificate
         */
        public static Identity pem(Path certificateChain, Path privateKey) throws IOException {
            List<X509Certificate> chain = Pem.certificates(certificateChain);
            PrivateKey key = Pem.privateKey(privateKey);
            Pem.checkPair(key, chain.get(0), privateKey, certificateChain);
            char[] password = "weft".toCharArray();
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("identity", key, password, chain.toArray(Certificate[]::new));
                return new Identity(keyManagers(store, password), "pem " + certificateChain + " + " + privateKey);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot use the key in " + privateKey + " with " + certificateChain + ": "
                        + e.getMessage(), e);
            }
        }

        /**
         * Reads a key store (PKCS#12 or JKS, told apart by the JDK) holding a private key and its
         * certificate chain; the key's password is the store's, as {@code keytool} makes it.
         *
         * @throws IOException if the store cannot be read, the password is wrong, or it holds no key
         */
        public static Identity keyStore(Path file, char[] password) throws IOException {
            KeyStore store = load(file, password);
            try {
                boolean hasKey = false;
                for (String alias : Collections.list(store.aliases())) {
                    hasKey |= store.isKeyEntry(alias);
                }
                if (!hasKey) {
                    throw new IOException(file + " holds no private key (is it a trust store?); give the key store "
                            + "that holds this side's key and certificate");
                }
                return new Identity(keyManagers(store, password), "key store " + file);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot use the key in " + file + ": " + e.getMessage()
                        + " (its key password must be the store's)", e);
            }
        }

        private static KeyManager[] keyManagers(KeyStore store, char[] password) throws GeneralSecurityException {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        }

        @Override
        public String toString() {
            return source;
        }
    }

    /** The certificates one side trusts to sign the other side's certificate. */
    public static final class Trust {
        private final TrustManager[] trustManagers;
        private final String source;

        private Trust(TrustManager[] trustManagers, String source) {
            this.trustManagers = trustManagers;
            this.source = source;
        }

        /** The JDK's certificate authorities ({@code cacerts}). */
        public static Trust system() {
            return new Trust(null, "the JDK's CAs");
        }

        /**
         * Trusts the certificates in a PEM file: the CAs that sign the peer's certificate, or a
         * self-signed peer certificate itself.
         *
         * @throws IOException if the file cannot be read or holds no certificate
         */
        public static Trust pem(Path certificates) throws IOException {
            List<X509Certificate> trusted = Pem.certificates(certificates);
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < trusted.size(); i++) {
                    store.setCertificateEntry("trusted-" + i, trusted.get(i));
                }
                return new Trust(trustManagers(store), "pem " + certificates);
            } catch (GeneralSecurityException | IOException e) {
                throw new IOException("cannot trust the certificates in " + certificates + ": " + e.getMessage(), e);
            }
        }

        /**
         * Trusts the certificates of a trust store (PKCS#12 or JKS).
         *
         * @param password the store's password, or null if it has none
         * @throws IOException if the store cannot be read, the password is wrong, or it holds no certificate
         */
        public static Trust keyStore(Path file, char[] password) throws IOException {
            KeyStore store = load(file, password);
            try {
                if (store.size() == 0) {
                    throw new IOException(file + " holds no certificate to trust");
                }
                return new Trust(trustManagers(store), "trust store " + file);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot trust the certificates in " + file + ": " + e.getMessage(), e);
            }
        }

        private static TrustManager[] trustManagers(KeyStore store) throws GeneralSecurityException {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        }

        @Override
        public String toString() {
            return source;
        }
    }

    private static KeyStore load(Path file, char[] password) throws IOException {
        try {
            return KeyStore.getInstance(file.toFile(), password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("cannot open the key store " + file + ": " + e.getMessage()
                    + (e.getCause() instanceof java.security.UnrecoverableKeyException ? " (wrong password?)" : ""), e);
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot open the key store " + file + ": " + e.getMessage(), e);
        }
    }
}
