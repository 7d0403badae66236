package dev.netmon.output;

import java.io.IOException;
import java.io.OutputStream;
import java.util.function.LongUnaryOperator;

/** The output formats --format chooses from, and the writer of each. */
public enum Format {
    /** netmon's own flat JSON lines (README "Fields"). */
    JSON("json"),
    /** Elastic Common Schema JSON lines, nested. */
    ECS("ecs"),
    /** One short line per event for a terminal. */
    TEXT("text");

    private final String text;

    Format(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /**
     * @param node the node name the JSON formats print on every line
     * @param toUnixNs converts kernel CLOCK_MONOTONIC nanoseconds to Unix-epoch nanoseconds
     * @param podLabels --pod-labels: the JSON formats include the pod's labels
     */
    public LineSink open(OutputStream out, String node, LongUnaryOperator toUnixNs, boolean podLabels)
            throws IOException {
        return switch (this) {
            case JSON -> new JsonLineWriter(out, node, toUnixNs, podLabels);
            case ECS -> new EcsLineWriter(out, node, toUnixNs, podLabels);
            case TEXT -> new TextLineWriter(out, toUnixNs);
        };
    }
}
