package dev.weft.kvs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replies that complete together, on the thread that completes them, sent one write per
 * connection. The log's thread completes a whole group commit in a row; a connection whose replies
 * complete there queues them here, and they go out when the batch ends, merged, rather than one
 * write each (a client shared by 64 callers gets one write where it got up to 64).
 */
final class ReplyBatch {
    private static final ThreadLocal<ReplyBatch> CURRENT = new ThreadLocal<>();

    private final Map<KvsConnection, List<byte[]>> replies = new LinkedHashMap<>();

    private ReplyBatch() {
    }

    /** Runs {@code completions}, then sends the replies they queued, each connection's in one go. */
    static void run(Runnable completions) {
        ReplyBatch batch = new ReplyBatch();
        CURRENT.set(batch);
        try {
            completions.run();
        } finally {
            CURRENT.remove();
            batch.replies.forEach(KvsConnection::sendReplies);
        }
    }

    /** Queues {@code frame} for {@code to} if this thread is completing a batch; false if it is not (send it now). */
    static boolean add(KvsConnection to, byte[] frame) {
        ReplyBatch batch = CURRENT.get();
        if (batch == null) {
            return false;
        }
        batch.replies.computeIfAbsent(to, c -> new ArrayList<>(4)).add(frame);
        return true;
    }
}
