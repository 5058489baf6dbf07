package dev.weft.runtime;

import java.util.Objects;

/**
 * Names a shared service and the type of message its inbox takes, e.g.
 * {@code ServiceKey.of("weft.selector", SelectorRequest.class)}.
 *
 * @param name the service's name, unique within a runtime
 * @param type the type of message the service's inbox takes
 * @param <T> the type of message the service's inbox takes
 */
public record ServiceKey<T>(String name, Class<T> type) {

    public ServiceKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /** Returns a key for the service {@code name} whose inbox takes {@code type}. */
    public static <T> ServiceKey<T> of(String name, Class<T> type) {
        return new ServiceKey<>(name, type);
    }

    @Override
    public String toString() {
        return name + "<" + type.getSimpleName() + ">";
    }
}
