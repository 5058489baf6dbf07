package dev.weft.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SelectTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Selects over three inboxes on request and reports which became ready and what each holds. */
    static final class Selector3 extends Component {
        final Inbox<String> a = inbox("a", String.class);
        final Inbox<String> b = inbox("b", String.class);
        final Inbox<String> c = inbox("c", String.class);
        final SynchronousQueue<Duration> requests = new SynchronousQueue<>();
        final BlockingQueue<Object> reports = new LinkedBlockingQueue<>();

        @Override
        protected void run() throws InterruptedException {
            for (;;) {
                Duration timeout = requests.take();
                reports.put("parked");
                Inbox<?> ready = timeout.isZero() ? select(a, b, c) : select(timeout, a, b, c);
                if (ready == null) {
                    reports.put(List.of("timeout", a.size(), b.size(), c.size()));
                } else {
                    int before = ready.size();
                    Object message = ready.poll();
                    reports.put(List.of(ready.name(), message, before, a.size(), b.size(), c.size()));
                }
            }
        }
    }

    @Test
    void aMessageOnAnyOfThreeInboxesWakesTheSelectingComponent() throws Exception {
        try (Weft weft = Weft.start()) {
            Selector3 selector = weft.spawn(new Selector3());
            for (Inbox<String> target : List.of(selector.c, selector.a, selector.b)) {
                selector.requests.put(Duration.ZERO);
                assertThat(selector.reports.poll(10, TimeUnit.SECONDS)).isEqualTo("parked");
                Probes.awaitParked(selector);

                target.send("to " + target.name());

                Object report = selector.reports.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(report).as("select woken by %s", target)
                        .isEqualTo(List.of(target.name(), "to " + target.name(), 1, 0, 0, 0));
            }
        }
    }

    @Test
    void selectWithTimeoutReturnsNullWhenNothingArrives() throws Exception {
        try (Weft weft = Weft.start()) {
            Selector3 selector = weft.spawn(new Selector3());
            long start = System.nanoTime();
            selector.requests.put(Duration.ofMillis(200));
            assertThat(selector.reports.poll(10, TimeUnit.SECONDS)).isEqualTo("parked");

            Object report = selector.reports.poll(WAIT.toSeconds(), TimeUnit.SECONDS);

            assertThat(report).isEqualTo(List.of("timeout", 0, 0, 0));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("select waited for its timeout")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void selectTakesNothingAndLeavesOtherInboxesUntouched() throws Exception {
        try (Weft weft = Weft.start()) {
            Selector3 selector = weft.spawn(new Selector3());
            selector.a.send("a1");
            selector.b.send("b1");
            selector.b.send("b2");
            selector.c.send("c1");

            // Each round select returns one inbox; only our poll of that inbox takes a message.
            int remaining = 4;
            while (remaining > 0) {
                selector.requests.put(Duration.ofSeconds(5));
                assertThat(selector.reports.poll(10, TimeUnit.SECONDS)).isEqualTo("parked");
                List<?> report = (List<?>) selector.reports.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(report).isNotNull();
                remaining--;
                int a = (int) report.get(3);
                int b = (int) report.get(4);
                int c = (int) report.get(5);
                assertThat(a + b + c).as("exactly one message taken per select, by our own poll: %s", report)
                        .isEqualTo(remaining);
                assertThat((int) report.get(2)).as("the returned inbox had a message").isPositive();
            }
            assertThat(selector.a.isEmpty() && selector.b.isEmpty() && selector.c.isEmpty()).isTrue();
        }
    }

    @Test
    void selectRotatesSoThatOneBusyInboxCannotStarveAnother() throws Exception {
        try (Weft weft = Weft.start()) {
            Selector3 selector = weft.spawn(new Selector3());
            for (int i = 0; i < 10; i++) {
                selector.a.send("a" + i);
            }
            selector.c.send("c0");
            List<Object> names = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                selector.requests.put(Duration.ofSeconds(5));
                selector.reports.poll(10, TimeUnit.SECONDS);
                names.add(((List<?>) selector.reports.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).get(0));
            }
            assertThat(names).as("c is served within a rotation despite a's backlog").contains("c");
        }
    }
}
