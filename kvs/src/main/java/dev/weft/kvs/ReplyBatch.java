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
    private static final System.Logger LOG = System.getLogger(ReplyBatch.class.getName());
    private static final ThreadLocal<ReplyBatch> CURRENT = new ThreadLocal<>();

    private final Map<KvsConnection, List<byte[]>> replies = new LinkedHashMap<>();

    private ReplyBatch() {
    }

    /**
     * Runs {@code completions}, then sends the replies they queued, each connection's in one go. Inside
     * another batch on the same thread it just runs them: the outer batch sends.
     */
    static void run(Runnable completions) {
        if (CURRENT.get() != null) {
            completions.run();
            return;
        }
        ReplyBatch batch = new ReplyBatch();
        CURRENT.set(batch);
        try {
            completions.run();
        } finally {
            CURRENT.remove();
            batch.replies.forEach(ReplyBatch::send);
        }
    }

    /** Sends one connection's replies; a failure there is logged and costs no other connection its replies. */
    private static void send(KvsConnection to, List<byte[]> frames) {
        try {
            to.sendReplies(frames);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "sending " + frames.size() + " replies to a KVS client failed", e);
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
