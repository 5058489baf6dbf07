package dev.weft.actors.net;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone: X.509 certificates ({@code BEGIN CERTIFICATE}) and unencrypted
 * PKCS#8 private keys ({@code BEGIN PRIVATE KEY}, what {@code openssl genpkey} and {@code openssl req
 * -newkey} write) of RSA, EC or EdDSA. Text around the blocks (openssl's "Bag Attributes") is skipped.
 * Other key formats are refused with the {@code openssl} command that converts them.
 */
final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS");

    private Pem() {
    }

    /** Returns the certificates in {@code file}, in file order (a chain: the leaf first). */
    static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(file, "CERTIFICATE")) {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IOException("cannot read a certificate in " + file + ": " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(file + " holds no '-----BEGIN CERTIFICATE-----' block; give a PEM certificate file");
        }
        return certificates;
    }

    /** Returns the one private key in {@code file}. */
    static PrivateKey privateKey(Path file) throws IOException {
        String text = read(file);
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            String label = m.group(1);
            if (label.equals("PRIVATE KEY")) {
                return pkcs8(decode(file, label, m.group(2)), file);
            }
            if (label.endsWith("PRIVATE KEY")) {
                throw new IOException(file + " holds a '" + label + "', which the JDK cannot read; convert it to an "
                        + "unencrypted PKCS#8 key: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem");
            }
        }
        throw new IOException(file + " holds no '-----BEGIN PRIVATE KEY-----' block; give a PEM private key file");
    }

    /**
     * Checks that {@code key} belongs to {@code certificate} by signing with the one and verifying with
     * the other, so that a mismatched pair fails here and not in every handshake.
     */
    static void checkPair(PrivateKey key, X509Certificate certificate, Path keyFile, Path certificateFile)
            throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;            // RSASSA-PSS needs parameters; the handshake will tell
        };
        if (algorithm == null) {
            return;
        }
        byte[] probe = "weft key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new IOException("the private key in " + keyFile + " does not belong to the first certificate in "
                    + certificateFile + " (" + certificate.getSubjectX500Principal().getName() + ")");
        }
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException notThisAlgorithm) {
                // try the next
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot read the private key in " + file + ": " + e.getMessage(), e);
            }
        }
        throw new IOException("the private key in " + file + " is not an RSA, EC or EdDSA key the JDK can read");
    }

    private static List<byte[]> blocks(Path file, String wanted) throws IOException {
        List<byte[]> found = new ArrayList<>();
        Matcher m = BLOCK.matcher(read(file));
        while (m.find()) {
            if (m.group(1).equals(wanted)) {
                found.add(decode(file, wanted, m.group(2)));
            }
        }
        return found;
    }

    private static byte[] decode(Path file, String label, String base64) throws IOException {
        try {
            return Base64.getMimeDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException("the '" + label + "' block in " + file + " is not valid base64: " + e.getMessage(), e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.ISO_8859_1);   // never fails: a binary file just has no blocks
    }
}
