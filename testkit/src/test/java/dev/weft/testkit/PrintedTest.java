package dev.weft.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrintedTest {

    @Test
    void bytesPrintAsEscapedTextWithTheirLength() {
        byte[] bytes = {'h', 'i', '\n', '\r', '\t', '"', '\\', 0, (byte) 0x7f, (byte) 0xff};

        assertThat(Printed.of(bytes)).isEqualTo("byte[10] \"hi\\n\\r\\t\\\"\\\\\\x00\\x7f\\xff\"");
        assertThat(Printed.of(new byte[0])).isEqualTo("byte[0] \"\"");
    }

    @Test
    void longByteArraysPrintTheirStartAndSayHowManyBytesAreLeftOut() {
        byte[] bytes = new byte[Printed.MAX_BYTES + 44];
        Arrays.fill(bytes, (byte) 'a');

        assertThat(Printed.of(bytes))
                .isEqualTo("byte[300] \"" + "a".repeat(Printed.MAX_BYTES) + "\" … 44 more bytes");
    }

    @Test
    void otherArraysPrintTheirTypeLengthAndContentsDeeply() {
        assertThat(Printed.of(new int[] {1, 2, 3})).isEqualTo("int[3] [1, 2, 3]");
        assertThat(Printed.of(new String[][] {{"a"}, {"b", "c"}})).isEqualTo("String[2][] [[a], [b, c]]");
        assertThat(Printed.of(new Object[] {new long[] {7}, "x"})).isEqualTo("Object[2] [[7], x]");
    }

    @Test
    void everythingElsePrintsAsItsToString() {
        assertThat(Printed.of("text")).isEqualTo("text");
        assertThat(Printed.of(List.of(1, 2))).isEqualTo("[1, 2]");
        assertThat(Printed.of(null)).isEqualTo("null");
    }

    @Test
    void typeNamesArraysAsJavaSourceDoes() {
        assertThat(Printed.type(new byte[1])).isEqualTo("byte[]");
        assertThat(Printed.type(new String[1][1])).isEqualTo("java.lang.String[][]");
        assertThat(Printed.type(5)).isEqualTo("java.lang.Integer");
    }

    @Test
    void listsPrintEachMessageAndCapHowManyTheyShow() {
        assertThat(Printed.all(List.of(new byte[] {'o', 'k'}, "s"))).isEqualTo("[byte[2] \"ok\", s]");
        List<Integer> many = IntStream.range(0, Printed.MAX_LISTED + 5).boxed().toList();

        assertThat(Printed.all(many)).startsWith("[0, 1, 2,").endsWith(", 31] … and 5 more");
    }
}
