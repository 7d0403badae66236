package dev.netmon.bench;

import java.util.Collection;

/** Median, min and max of a handful of runs: the median resists one disturbed run, the range shows the spread. */
record Stats(double median, double min, double max, int n) {
    static Stats of(Collection<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Stats(median, v[0], v[v.length - 1], v.length);
    }
}
