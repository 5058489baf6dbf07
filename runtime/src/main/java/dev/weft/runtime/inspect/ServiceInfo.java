package dev.weft.runtime.inspect;

/**
 * One registered service.
 *
 * @param name the service's name (its {@code ServiceKey} name)
 * @param messageType the class name of the messages its key takes
 * @param inbox the inbox that provides it
 */
public record ServiceInfo(String name, String messageType, BoxRef inbox) {
}
