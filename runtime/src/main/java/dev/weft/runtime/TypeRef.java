package dev.weft.runtime;

import java.lang.reflect.Array;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;

/**
 * Names a generic message type, which a class literal cannot ({@code List<String>.class} does not
 * exist). Make one as an anonymous subclass; Java keeps its type argument at run time:
 *
 * <pre>{@code
 * final Inbox<List<String>> batches = inbox(new TypeRef<>() {});
 * final Outbox<Map<String, Integer>> counts = outbox("counts", new TypeRef<>() {});
 * }</pre>
 *
 * <p>The compiler checks the type arguments. At run time Weft compares raw classes only (when a link
 * is made, {@link #rawType()}): an {@code Outbox<List<Integer>>} reaches an {@code Inbox<List<String>>}
 * only through raw types or unchecked casts, which the compiler warns about.
 *
 * @param <T> the type named
 */
public abstract class TypeRef<T> {
    private final Type type;
    private final Class<T> raw;

    /**
     * Captures the type argument of the anonymous subclass.
     *
     * @throws IllegalArgumentException if the subclass gives no type argument, or gives a type
     *     variable, whose class is not known at run time
     */
    protected TypeRef() {
        if (!(getClass().getGenericSuperclass() instanceof ParameterizedType p) || getClass().getSuperclass() != TypeRef.class) {
            throw new IllegalArgumentException(getClass().getName() + " must extend TypeRef directly with a type argument, "
                    + "e.g. new TypeRef<List<String>>() {}");
        }
        this.type = p.getActualTypeArguments()[0];
        @SuppressWarnings("unchecked")
        Class<T> erased = (Class<T>) rawClassOf(type);
        this.raw = erased;
    }

    /** Returns the full type, type arguments included, e.g. {@code java.util.List<java.lang.String>}. */
    public final Type type() {
        return type;
    }

    /** Returns the class the type erases to, e.g. {@code List.class}: what boxes check at run time. */
    public final Class<T> rawType() {
        return raw;
    }

    private static Class<?> rawClassOf(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof GenericArrayType a) {
            return Array.newInstance(rawClassOf(a.getGenericComponentType()), 0).getClass();
        }
        if (type instanceof TypeVariable<?> v) {
            throw new IllegalArgumentException("TypeRef<" + v.getName() + ">: " + v.getName()
                    + " is a type variable, so its class is unknown at run time; name a concrete type, "
                    + "or pass a Class<" + v.getName() + "> or a TypeRef<" + v.getName() + "> in from the caller");
        }
        throw new IllegalArgumentException("TypeRef cannot name " + type.getTypeName());
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof TypeRef<?> other && type.equals(other.type);
    }

    @Override
    public final int hashCode() {
        return type.hashCode();
    }

    @Override
    public final String toString() {
        return type.getTypeName();
    }
}
