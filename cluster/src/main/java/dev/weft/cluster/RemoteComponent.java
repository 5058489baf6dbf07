package dev.weft.cluster;

import dev.weft.runtime.Component;
import dev.weft.runtime.ComponentState;
import dev.weft.runtime.Shutdown;
import dev.weft.runtime.Signal;

/**
 * A local stand-in for a component in another runtime, made by {@link Cluster#remote}: it lives
 * while the remote provider does and ends when it goes, so watching it is watching the remote one.
 * A watcher gets the runtime's ordinary {@link dev.weft.runtime.Terminated} for it and handles a
 * remote end exactly as a local one:
 *
 * <ul>
 *   <li>{@link ComponentState#FINISHED}: the provider ended (its key was deleted while its runtime
 *       kept its lease), or another provider replaced it;</li>
 *   <li>{@link ComponentState#STOPPED}: its runtime is gone (its lease expired or was revoked: a
 *       crash, a partition longer than the lease, a close), or this runtime stopped the stand-in.</li>
 * </ul>
 *
 * {@link #reason()} says what the registry saw. The stand-in also ends, with no reason, on
 * {@link Shutdown} (this runtime closing); it takes no messages.
 */
public final class RemoteComponent extends Component {
    private final RemoteAddress address;
    private volatile String reason;

    RemoteComponent(RemoteAddress address) {
        super("remote:" + address);
        this.address = address;
    }

    /** Returns the address of the provider this component stands for. */
    public RemoteAddress address() {
        return address;
    }

    /** Returns what the registry saw when the provider went, or {@code null} while it lives (or if this runtime closed). */
    public String reason() {
        return reason;
    }

    /** The provider ended: this stand-in finishes. */
    void ended(String why) {
        reason = why;
        control.trySend(new Ended());
    }

    /** The provider's runtime is gone: this stand-in is stopped. */
    void lost(String why) {
        reason = why;
        stop();
    }

    @Override
    protected void run() throws InterruptedException {
        while (true) {
            Signal s = control.receive();
            if (s instanceof Ended || s instanceof Shutdown) {
                return;
            }
        }
    }

    /** Tells the stand-in's own body that the provider ended. */
    private record Ended() implements Signal {
    }
}
