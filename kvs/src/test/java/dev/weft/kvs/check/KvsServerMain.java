package dev.weft.kvs.check;

import dev.weft.kvs.FsyncMode;
import dev.weft.kvs.Kvs;
import dev.weft.kvs.KvsOptions;
import dev.weft.kvs.KvsServer;
import dev.weft.kvs.KvsServerOptions;
import dev.weft.runtime.Weft;
import java.nio.file.Path;

/**
 * The child JVM of {@link ServerTarget}: serves a durable store in {@code args[0]} with fsync mode
 * {@code args[1]} on a free loopback port, prints {@code listening <port>}, and runs until killed, or
 * until its standard input closes (the parent JVM ended without killing it).
 */
public final class KvsServerMain {
    private KvsServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Weft weft = Weft.start();
        Kvs kvs = Kvs.open(KvsOptions.durable(Path.of(args[0])).withFsync(FsyncMode.valueOf(args[1])));
        KvsServer server = KvsServer.start(weft, kvs, KvsServerOptions.loopback(0));
        System.out.println("listening " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // nothing is sent on standard input; its end means the parent is gone
        }
        Runtime.getRuntime().halt(1);
    }
}
