package dev.weft.kvs.check;

import static dev.weft.kvs.check.HistoryBuilder.committed;
import static dev.weft.kvs.check.HistoryBuilder.refused;
import static dev.weft.kvs.check.HistoryBuilder.seen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.weft.kvs.check.Anomaly.Kind;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The checker on small histories, right and wrong on purpose. Times are plain numbers. */
class LinearizabilityCheckerTest {
    private static final long NONE = Outcome.NONE;

    private static void assertLinearizable(HistoryBuilder h) {
        Report report = h.check();
        assertThat(report.isLinearizable()).as(report.toString()).isTrue();
    }

    private static Report assertFinds(HistoryBuilder h, Kind... kinds) {
        Report report = h.check();
        assertThat(report.counts().keySet()).as(report.toString()).containsExactlyInAnyOrder(kinds);
        return report;
    }

    @Nested
    class RightHistories {
        @Test
        void putsReadsCompareAndSetAndATransactionInSequence() {
            assertLinearizable(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .read(1, 20, 30, 1, "a", "a1", 1)
                    .cas(1, 40, 50, "a", 1, "a2", committed(2))
                    .cas(0, 60, 70, "a", 1, "a3", refused("a", 2))
                    .op(0, 80, 90, new Call.Write(List.of(new Call.Require("a", 2), new Call.Require("b", 0)),
                            List.of(new Call.Put("a", "a4"), new Call.Put("b", "b4"))), committed(3))
                    .read(1, 100, 110, 3, seen("a", "a4", 3), seen("b", "b4", 3)));
        }

        @Test
        void readsOverlappingAWriteMaySeeItOrNot() {
            assertLinearizable(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .put(0, 20, 60, "a", "a2", 2)
                    .read(1, 25, 30, 1, "a", "a1", 1)
                    .read(2, 30, 40, 2, "a", "a2", 2)
                    .read(1, 35, 50, 1, "a", "a1", 1));
        }

        @Test
        void anUnknownWriteThatAppliedIsExplainedByTheReadThatSawIt() {
            Report report = new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .putUnknown(1, 20, "a", "a2")
                    .read(2, 100, 110, 2, "a", "a2", 2)
                    .check();
            assertThat(report.isLinearizable()).as(report.toString()).isTrue();
            assertThat(report.search().droppedUnknown()).isZero();
        }

        @Test
        void anUnknownWriteThatNeverAppliedIsFine() {
            Report report = new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .putUnknown(1, 20, "a", "a2")
                    .put(0, 30, 40, "a", "a3", 2)
                    .read(2, 50, 60, 2, "a", "a3", 2)
                    .check();
            assertThat(report.isLinearizable()).as(report.toString()).isTrue();
            assertThat(report.search().droppedUnknown()).as("nobody saw a2, nothing needs it").isOne();
        }

        @Test
        void aRefusalThatNamesNothingIsExplainedByAnUnknownWriteNobodySaw() {
            assertLinearizable(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .putUnknown(1, 20, "a", "a2")
                    .cas(2, 30, 40, "a", 1, "a3", new Outcome.Refused(null, NONE, NONE)));
        }

        @Test
        void withoutWitnessesTheSearchAloneAcceptsConcurrentRegisterHistories() {
            assertLinearizable(new HistoryBuilder()
                    .op(0, 0, 100, Call.Write.put("a", "x"), committed(NONE))
                    .read(1, 10, 20, "a", null)
                    .read(2, 15, 40, "a", "x")
                    .read(1, 30, 40, "a", "x")
                    .op(3, 50, 70, Call.Write.put("a", "y"), committed(NONE))
                    .read(2, 60, 80, "a", "x")
                    .read(1, 60, 80, "a", "y"));
        }
    }

    @Nested
    class WrongHistories {
        @Test
        void aStaleReadIsFoundByBothPasses() {
            assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .put(0, 20, 30, "a", "a2", 2)
                    .read(1, 40, 50, 2, "a", "a1", 1), Kind.STALE_READ, Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aStaleReadWithoutWitnessesIsFoundByTheSearch() {
            assertFinds(new HistoryBuilder()
                    .op(0, 0, 10, Call.Write.put("a", "a1"), committed(NONE))
                    .op(0, 20, 30, Call.Write.put("a", "a2"), committed(NONE))
                    .read(1, 40, 50, "a", "a1"), Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aReadThatGoesBackInTimeIsFoundByTheSearch() {
            assertFinds(new HistoryBuilder()
                    .op(0, 0, 10, Call.Write.put("a", "x"), committed(NONE))
                    .op(1, 5, 30, Call.Write.put("a", "y"), committed(NONE))
                    .read(2, 12, 14, "a", "y")
                    .read(2, 15, 20, "a", "x"), Kind.NOT_LINEARIZABLE);
        }

        @Test
        void anAcknowledgedWriteLostInACrashIsFound() {
            // the store came back without version 1 and gave it to the next write
            Report report = assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .put(1, 20, 30, "b", "b1", 1)
                    .read(1, 40, 50, 1, seen("a", null, 0), seen("b", "b1", 1)),
                    Kind.VERSION_REUSED, Kind.STALE_READ, Kind.REAL_TIME, Kind.NOT_LINEARIZABLE);
            assertThat(report.toString()).contains("missing the write at version 1");
        }

        @Test
        void aStoreThatComesBackAtAnOlderVersionBreaksRealTime() {
            assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .read(1, 20, 30, 0, "a", null, 0), Kind.REAL_TIME, Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aRealTimeViolationAcrossKeysIsFoundByTheWitnessCheck() {
            // each key alone is linearizable, so only the root versions show it
            assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .put(0, 20, 30, "b", "b1", 2)
                    .read(1, 40, 50, 1, "a", "a1", 1), Kind.REAL_TIME);
        }

        /** a1 and b1, then a transaction putting a2 and b2 as version 3. */
        private HistoryBuilder transactionAfterTwoPuts() {
            return new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .put(0, 20, 30, "b", "b1", 2)
                    .op(1, 40, 50, new Call.Write(List.of(), List.of(new Call.Put("a", "a2"), new Call.Put("b", "b2"))), committed(3));
        }

        @Test
        void aTornTransactionSeenAtOneVersionIsAStaleRead() {
            assertFinds(transactionAfterTwoPuts()
                    .read(2, 60, 70, 3, seen("a", "a2", 3), seen("b", "b1", 2)), Kind.STALE_READ, Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aTornTransactionSeenWithoutARootVersionIsATornRead() {
            assertFinds(transactionAfterTwoPuts()
                    .read(2, 45, 70, NONE, seen("a", "a2", 3), seen("b", "b1", 2)), Kind.TORN_READ, Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aTransactionWhoseKeysAreSeenAtTwoVersionsIsFound() {
            assertFinds(new HistoryBuilder()
                    .op(1, 0, 0, new Call.Write(List.of(), List.of(new Call.Put("a", "a1"), new Call.Put("b", "b1"))),
                            new Outcome.Unknown("lost reply"))
                    .read(2, 60, 70, 1, "a", "a1", 1)
                    .read(2, 80, 90, 2, "b", "b1", 2), Kind.WITNESS_MISMATCH);
        }

        @Test
        void aRefusalNamingACommitNobodyCanSeeYetBreaksRealTime() {
            // issue 10: the refusal names version 2 while it is pending; a later read still sees version 1
            Report report = assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .put(1, 20, 80, "a", "a2", 2)
                    .cas(2, 30, 35, "a", 1, "a3", refused("a", 2))
                    .read(3, 40, 45, 1, "a", "a1", 1), Kind.REAL_TIME, Kind.NOT_LINEARIZABLE);
            assertThat(report.toString()).contains("refused a@2");
        }

        @Test
        void aRefusalNamingAVersionThatACrashGaveToAnotherKeyIsFound() {
            // issue 10 after kill -9: version 2 was lost and reused by an unrelated write
            assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .putUnknown(1, 20, "a", "a2")
                    .cas(2, 30, 35, "a", 1, "a3", refused("a", 2))
                    .put(0, 50, 60, "b", "b1", 2)
                    .read(3, 70, 80, 2, seen("a", "a1", 1), seen("b", "b1", 2)), Kind.BAD_REFUSAL, Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aRefusalThatNothingExplainsIsFoundByTheSearch() {
            assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .cas(2, 30, 40, "a", 1, "a3", new Outcome.Refused(null, NONE, NONE)), Kind.NOT_LINEARIZABLE);
        }

        @Test
        void twoCompareAndSetsOnOneVersionBothCommittingIsALostUpdate() {
            assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .cas(1, 20, 30, "a", 1, "a2", committed(2))
                    .cas(2, 40, 50, "a", 1, "a3", committed(3)), Kind.LOST_UPDATE, Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aReadOfARefusedWriteIsAPhantom() {
            assertFinds(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .cas(1, 20, 30, "a", 0, "a2", refused("a", 1))
                    .read(2, 40, 50, 1, "a", "a2", 1), Kind.PHANTOM_VALUE, Kind.NOT_LINEARIZABLE);
        }

        @Test
        void aSearchOverItsBudgetSaysItIsInconclusive() {
            Report report = LinearizabilityChecker.check(new HistoryBuilder()
                    .put(0, 0, 10, "a", "a1", 1)
                    .put(0, 20, 30, "a", "a2", 2).build(), 1);
            assertThat(report.counts().keySet()).containsExactly(Kind.INCONCLUSIVE);
        }
    }

    @Test
    void aHistoryThatWritesOneValueTwiceIsRefused() {
        assertThatThrownBy(() -> new HistoryBuilder()
                .put(0, 0, 10, "a", "same", 1)
                .put(1, 20, 30, "b", "same", 2).check())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("written by two operations");
    }
}
