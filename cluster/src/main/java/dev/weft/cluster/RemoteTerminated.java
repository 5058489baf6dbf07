package dev.weft.cluster;

import dev.weft.runtime.Signal;

/**
 * Tells a watcher, on its control inbox, that a service in another runtime has gone: its provider
 * ended (the key was deleted at once) or its runtime stopped renewing its lease (the key expired).
 * The remote counterpart of {@link dev.weft.runtime.Terminated}, which names a local component.
 *
 * @param address the service as it was when the watch began
 * @param reason what the registry saw, for logs
 */
public record RemoteTerminated(RemoteAddress address, String reason) implements Signal {
}
