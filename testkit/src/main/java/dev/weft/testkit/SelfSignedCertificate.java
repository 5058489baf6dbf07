package dev.weft.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate made at test time by the JDK's {@code keytool}, so that no key is ever
 * committed. It comes in every form a TLS configuration reads: a PKCS#12 key store, a PEM certificate
 * with its PEM (PKCS#8) private key, and a PKCS#12 trust store that holds the certificate alone.
 *
 * <pre>{@code
 * SelfSignedCertificate server = SelfSignedCertificate.make(tempDir, "server");   // CN=localhost, SAN localhost + 127.0.0.1
 * Tls tls = Tls.server(Tls.Identity.pem(server.certificatePem(), server.privateKeyPem()));
 * }</pre>
 */
public final class SelfSignedCertificate {
    /** The password of {@link #keyStore()} and {@link #trustStore()}. */
    public static final String PASSWORD = "changeit";
    private static final long KEYTOOL_SECONDS = 120;

    private final Path keyStore;
    private final Path trustStore;
    private final Path certificatePem;
    private final Path privateKeyPem;

    private SelfSignedCertificate(Path keyStore, Path trustStore, Path certificatePem, Path privateKeyPem) {
        this.keyStore = keyStore;
        this.trustStore = trustStore;
        this.certificatePem = certificatePem;
        this.privateKeyPem = privateKeyPem;
    }

    /** Makes an EC (P-256) certificate for {@code CN=localhost} that names {@code localhost} and {@code 127.0.0.1}. */
    public static SelfSignedCertificate make(Path dir, String name) throws IOException, InterruptedException {
        return make(dir, name, "EC", "dns:localhost,ip:127.0.0.1");
    }

    /**
     * Makes a certificate of key algorithm {@code keyAlgorithm} ({@code EC}, {@code RSA}, {@code Ed25519})
     * with the subject alternative names {@code subjectAltNames} in keytool's form
     * ({@code dns:host,ip:10.0.0.1}); its files are {@code dir/name.*}.
     */
    public static SelfSignedCertificate make(Path dir, String name, String keyAlgorithm, String subjectAltNames)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path keyStore = dir.resolve(name + ".p12");
        Path trustStore = dir.resolve(name + "-trust.p12");
        Path certificate = dir.resolve(name + "-cert.pem");
        Path key = dir.resolve(name + "-key.pem");
        List<String> generate = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", keyAlgorithm,
                "-dname", "CN=localhost, O=Weft test " + name, "-ext", "SAN=" + subjectAltNames, "-validity", "2",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        if (keyAlgorithm.equals("EC")) {
            generate.addAll(List.of("-groupname", "secp256r1"));
        }
        keytool(generate);
        keytool(List.of("-exportcert", "-rfc", "-alias", name, "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-file", certificate.toString()));
        keytool(List.of("-importcert", "-noprompt", "-alias", name, "-file", certificate.toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
        Files.writeString(key, pem("PRIVATE KEY", privateKey(keyStore, name).getEncoded()), StandardCharsets.US_ASCII);
        return new SelfSignedCertificate(keyStore, trustStore, certificate, key);
    }

    /** A PKCS#12 key store with the key and certificate; its password is {@value #PASSWORD}. */
    public Path keyStore() {
        return keyStore;
    }

    /** A PKCS#12 trust store with the certificate alone; its password is {@value #PASSWORD}. */
    public Path trustStore() {
        return trustStore;
    }

    /** The certificate, PEM. */
    public Path certificatePem() {
        return certificatePem;
    }

    /** The private key, unencrypted PKCS#8 PEM. */
    public Path privateKeyPem() {
        return privateKeyPem;
    }

    /** A fresh copy of the stores' password. */
    public static char[] password() {
        return PASSWORD.toCharArray();
    }

    private static Key privateKey(Path keyStore, String alias) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(keyStore.toFile(), password());
            return store.getKey(alias, password());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key keytool made in " + keyStore, e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static void keytool(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(arguments);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(KEYTOOL_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool did not finish within " + KEYTOOL_SECONDS + " s: " + command);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (" + p.exitValue() + "): " + command + "\n" + output);
        }
    }
}
