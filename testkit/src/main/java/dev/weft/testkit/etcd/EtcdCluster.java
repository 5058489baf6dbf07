package dev.weft.testkit.etcd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * An etcd cluster of several members on 127.0.0.1, each an {@link EtcdProcess} with its own ports
 * and data directory under one temporary directory.
 *
 * <pre>{@code
 * try (EtcdCluster cluster = EtcdCluster.start(3)) {
 *     cluster.etcdctl("put", "k", "v");
 *     EtcdProcess victim = cluster.leader();
 *     victim.kill();                           // kill -9: the other two elect a leader and go on
 *     cluster.etcdctl("put", "k", "w");
 *     victim.restart();                        // catches up from its own data directory and its peers
 * }
 * }</pre>
 *
 * <p>{@link #start(int)} returns once every member is healthy. When the etcd binary is missing it
 * behaves like {@link EtcdProcess#start()}: the test is skipped, or fails under {@code CI=true}.
 */
public final class EtcdCluster implements AutoCloseable {
    private static final int PORT_ATTEMPTS = 3;

    private final Path baseDir;
    private final List<EtcdProcess> members;

    private EtcdCluster(Path baseDir, List<EtcdProcess> members) {
        this.baseDir = baseDir;
        this.members = List.copyOf(members);
    }

    /**
     * Starts a cluster of {@code size} members (3 tolerates one failure, 5 two) and waits until
     * every member is healthy.
     *
     * @throws IllegalArgumentException if {@code size} is less than 1
     * @throws IOException if a member cannot start (the message quotes the end of its log)
     */
    public static EtcdCluster start(int size) throws IOException {
        if (size < 1) {
            throw new IllegalArgumentException("an etcd cluster needs at least one member, not " + size);
        }
        Etcd.binary();
        Path base = Files.createTempDirectory("weft-etcd-cluster-");
        List<String> names = IntStream.range(0, size).mapToObj(i -> "m" + i).toList();
        return new EtcdCluster(base, startMembers(base, names, null));
    }

    /**
     * Starts members {@code names} of one new cluster in {@code base} and waits until all are
     * healthy, on new ports if one chosen free was taken meanwhile. On failure nothing keeps
     * running and {@code base} is deleted. {@code owner}: the directory each member deletes when
     * closed (null: none, the cluster does).
     */
    static List<EtcdProcess> startMembers(Path base, List<String> names, Path owner) throws IOException {
        for (int attempt = 1; ; attempt++) {
            List<EtcdProcess> members = plan(base, names, owner);
            try {
                for (EtcdProcess m : members) {
                    m.launch();
                }
                for (EtcdProcess m : members) {
                    m.awaitHealthy(EtcdProcess.STARTUP_TIMEOUT);
                }
                return members;
            } catch (EtcdProcess.PortTakenException e) {
                for (EtcdProcess m : members) {
                    m.kill();
                    Etcd.deleteRecursively(m.dataDir());
                }
                if (attempt == PORT_ATTEMPTS) {
                    Etcd.deleteRecursively(base);
                    throw e;
                }
            } catch (IOException | RuntimeException | Error e) {
                members.forEach(EtcdProcess::kill);
                Etcd.deleteRecursively(base);
                throw e;
            }
        }
    }

    private static List<EtcdProcess> plan(Path base, List<String> names, Path owner) throws IOException {
        int size = names.size();
        int[] ports = Etcd.freePorts(2 * size);
        String initial = IntStream.range(0, size)
                .mapToObj(i -> names.get(i) + "=" + EtcdProcess.peerUrl(ports[2 * i + 1]))
                .collect(Collectors.joining(","));
        String token = "weft-" + base.getFileName() + "-" + ports[0];
        List<EtcdProcess> members = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            members.add(new EtcdProcess(names.get(i), base, ports[2 * i], ports[2 * i + 1], initial, token, owner));
        }
        return members;
    }

    /** Returns the members, in the order of their names {@code m0}, {@code m1}, …. */
    public List<EtcdProcess> members() {
        return members;
    }

    /** Returns member {@code i}. */
    public EtcdProcess member(int i) {
        return members.get(i);
    }

    /** Returns every member's client URL, comma-separated (what {@code etcdctl --endpoints} takes). */
    public String endpoints() {
        return members.stream().map(EtcdProcess::endpoint).collect(Collectors.joining(","));
    }

    /**
     * Returns the member that is the leader now, asking the running members.
     *
     * @throws IOException if no running member names itself the leader (an election in progress)
     */
    public EtcdProcess leader() throws IOException {
        for (EtcdProcess m : members) {
            if (m.isAlive() && m.isLeader()) {
                return m;
            }
        }
        throw new IOException("no running member of " + this + " is the leader now");
    }

    /**
     * Runs {@code etcdctl} (API v3) against the members that are running and returns its standard
     * output, trimmed.
     *
     * @throws IOException with etcdctl's error output if it fails
     */
    public String etcdctl(String... args) throws IOException {
        String live = members.stream().filter(EtcdProcess::isAlive).map(EtcdProcess::endpoint)
                .collect(Collectors.joining(","));
        return Etcd.etcdctl(live.isEmpty() ? endpoints() : live, args);
    }

    /** Kills every member and deletes the cluster's directory. */
    @Override
    public void close() throws IOException {
        members.forEach(EtcdProcess::kill);
        Etcd.deleteRecursively(baseDir);
    }

    @Override
    public String toString() {
        return "EtcdCluster" + members;
    }
}
