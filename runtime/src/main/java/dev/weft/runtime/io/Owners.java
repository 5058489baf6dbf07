package dev.weft.runtime.io;

import dev.weft.runtime.Inbox;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes every channel handle when the component that owns its owner inbox ends, with one callback
 * on each owner inbox's close instead of one per handle: a handle that closes first leaves nothing
 * behind at a long-lived owner.
 */
final class Owners {
    /*
     * One Watch per owner inbox that holds handles: made on first use, with one callback on the
     * inbox's close (its component's end), and dropped by that callback. A handle is added to its
     * owner's watch, then reads the watch's `ended`; the callback writes `ended`, then closes the
     * handles it finds. Both sides write, then read the other's variable (a volatile write and
     * ConcurrentHashMap operations, which are volatile too), so a handle added while its owner ends
     * is either found by the callback or sees `ended` and closes itself. A handle that ends or moves to another owner is removed from
     * the watch, so the watch holds live handles only; the callback closes a handle only if its owner
     * is still the one that ended (a transfer racing the end keeps the channel open).
     */
    private final ConcurrentHashMap<Inbox<?>, Watch> watches = new ConcurrentHashMap<>();

    private static final class Watch {
        final Set<ChannelHandle> handles = ConcurrentHashMap.newKeySet();
        volatile boolean ended;
    }

    /** Closes {@code handle} when {@code owner} closes (at once if it has closed). */
    void add(Inbox<?> owner, ChannelHandle handle) {
        boolean[] made = {false};
        Watch watch = watches.computeIfAbsent(owner, o -> {
            made[0] = true;
            return new Watch();
        });
        watch.handles.add(handle);
        if (made[0]) {
            owner.onClose(() -> ended(owner, watch));
        }
        if (watch.ended) {
            handle.close();
        } else if (handle.ended()) {
            watch.handles.remove(handle);      // it ended while we added it (Poller.end marks, then removes)
        }
    }

    /** Forgets {@code handle} at {@code owner}: it ended, or it moved to another owner. */
    void remove(Inbox<?> owner, ChannelHandle handle) {
        Watch watch = watches.get(owner);
        if (watch != null) {
            watch.handles.remove(handle);
        }
    }

    /** Returns how many owners are watched now (for tests). */
    int watched() {
        return watches.size();
    }

    private void ended(Inbox<?> owner, Watch watch) {
        watch.ended = true;
        watches.remove(owner, watch);
        for (ChannelHandle h : watch.handles) {
            if (h.ownerInbox() == owner) {
                h.close();
            }
        }
    }
}
