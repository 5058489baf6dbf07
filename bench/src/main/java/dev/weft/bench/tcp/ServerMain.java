package dev.weft.bench.tcp;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Runs one server in its own JVM for {@link NetBench}: prints {@code port=N}, then answers
 * {@code report} on standard input with one line of counters, and ends at {@code quit} or end of input.
 * Arguments: server name ({@code netty-nio}, {@code netty-epoll}, {@code vthreads}, {@code weft}),
 * protocol ({@code echo}, {@code http}).
 */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Protocol protocol = Protocol.of(args[1]);
        try (Server server = switch (args[0]) {
            case "netty-nio" -> new NettyServer(false, protocol);
            case "netty-epoll" -> new NettyServer(true, protocol);
            case "vthreads" -> new VirtualThreadServer(protocol);
            case "weft" -> new WeftServer(protocol);
            default -> throw new IllegalArgumentException("no server named " + args[0]);
        }) {
            System.out.println("port=" + server.port());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = commands.readLine()) != null && !line.equals("quit"); ) {
                if (line.equals("report")) {
                    System.out.println("report " + server.report());
                }
            }
        }
    }
}
