package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TypeRefTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Takes batches of words and sends their sizes by word: boxes of generic types. */
    static final class Batcher extends Component {
        final Inbox<List<String>> batches = inbox(new TypeRef<>() {});
        final Outbox<Map<String, Integer>> sizes = outbox("sizes", new TypeRef<>() {});

        @Override
        protected void run() throws InterruptedException {
            List<String> batch = batches.receive();
            sizes.send(Map.of(String.join(",", batch), batch.size()));
        }
    }

    /** Hands what it receives to the test. */
    static final class Receiver extends Component {
        final Inbox<Map<String, Integer>> inbox = inbox("inbox", new TypeRef<>() {});
        final BlockingQueue<Map<String, Integer>> seen = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            seen.put(inbox.receive());
        }
    }

    @Test
    void anInferredTypeRefKeepsTheFullTypeAndItsRawClass() {
        TypeRef<List<String>> ref = new TypeRef<>() {};

        assertThat(ref.rawType()).isEqualTo(List.class);
        assertThat(ref.type().getTypeName()).isEqualTo("java.util.List<java.lang.String>");
        assertThat(ref).as("equal when they name the same type").isEqualTo(new TypeRef<List<String>>() {})
                .isNotEqualTo(new TypeRef<List<Integer>>() {});
    }

    @Test
    void aGenericArrayErasesToTheArrayOfItsRawComponent() {
        assertThat(new TypeRef<List<String>[]>() {}.rawType()).isEqualTo(List[].class);
        assertThat(new TypeRef<byte[]>() {}.rawType()).isEqualTo(byte[].class);
    }

    @Test
    void boxesDeclaredWithATypeRefCheckTheirRawClassAndCarryGenericMessages() throws Exception {
        try (Weft weft = Weft.start()) {
            Batcher batcher = new Batcher();
            Receiver receiver = new Receiver();
            assertThat(batcher.batches.name()).isEqualTo("inbox");
            assertThat(batcher.batches.type()).isEqualTo(List.class);
            assertThat(batcher.sizes.type()).isEqualTo(Map.class);
            weft.link(batcher.sizes, receiver.inbox);
            weft.spawn(receiver);
            weft.spawn(batcher);

            batcher.batches.send(List.of("a", "b"));

            assertThat(receiver.seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Map.of("a,b", 2));
        }
    }

    @Test
    void aLinkBetweenDifferentRawClassesIsRefusedAtRunTime() {
        Batcher batcher = new Batcher();
        final class Numbers extends Component {
            final Inbox<List<Integer>> inbox = inbox(new TypeRef<>() {});

            @Override
            protected void run() {
            }
        }
        Numbers numbers = new Numbers();
        @SuppressWarnings({"unchecked", "rawtypes"})
        Outbox<Object> raw = (Outbox) batcher.sizes;
        @SuppressWarnings({"unchecked", "rawtypes"})
        Inbox<Object> rawInbox = (Inbox) numbers.inbox;

        assertThatThrownBy(() -> raw.linkTo(rawInbox))
                .as("Map is not a List, whatever the type arguments")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.util.Map").hasMessageContaining("java.util.List");
    }

    @Test
    void aTypeVariableIsRefusedWithAnExplanation() {
        assertThatThrownBy(TypeRefTest::refOfTypeVariable)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TypeRef<T>: T is a type variable");
    }

    private static <T> TypeRef<T> refOfTypeVariable() {
        return new TypeRef<T>() {};
    }

    @Test
    @SuppressWarnings("rawtypes")
    void aRawTypeRefIsRefusedWithAnExample() {
        assertThatThrownBy(() -> new TypeRef() {})
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("new TypeRef<List<String>>() {}");
    }
}
