package dev.netmon.pipeline;

import dev.netmon.event.LogLine;
import java.util.Arrays;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO of lines between one producer and one consumer that both move lines in batches: one lock for a
 * batch, where a queue of single lines took one on each side for every line and moved its lock and counters between
 * the two cores as often.
 */
final class LineQueue {
    private final LogLine[] ring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private int head;
    /** Written under the lock; volatile so that depth() reads it from any thread without taking it. */
    private volatile int count;

    LineQueue(int capacity) {
        ring = new LogLine[capacity];
    }

    int capacity() {
        return ring.length;
    }

    /** Lines waiting; safe from any thread. */
    int size() {
        return count;
    }

    /** Room left now; it only grows until the producer adds again. */
    int free() {
        return ring.length - count;
    }

    /** Appends {@code n} lines; the caller made sure of the room (it is the only producer). */
    void addAll(LogLine[] lines, int n) {
        lock.lock();
        try {
            if (n > ring.length - count) {
                throw new IllegalStateException(n + " lines do not fit in " + (ring.length - count));
            }
            int tail = (head + count) % ring.length;
            int first = Math.min(n, ring.length - tail); // up to the end of the ring, then from its start
            System.arraycopy(lines, 0, ring, tail, first);
            System.arraycopy(lines, first, ring, 0, n - first);
            count += n;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves up to {@code into.length} lines into {@code into}, waiting up to {@code timeoutNs} for the first one.
     *
     * @return how many were moved, 0 if the wait ended first
     */
    int takeAll(LogLine[] into, long timeoutNs) throws InterruptedException {
        lock.lock();
        try {
            long wait = timeoutNs;
            while (count == 0) {
                if (wait <= 0) {
                    return 0;
                }
                wait = notEmpty.awaitNanos(wait);
            }
            int n = Math.min(count, into.length);
            int first = Math.min(n, ring.length - head);
            System.arraycopy(ring, head, into, 0, first);
            System.arraycopy(ring, 0, into, first, n - first);
            Arrays.fill(ring, head, head + first, null); // the writer alone keeps them from here
            Arrays.fill(ring, 0, n - first, null);
            head = (head + n) % ring.length;
            count -= n;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets every line; the output is gone. */
    void clear() {
        lock.lock();
        try {
            Arrays.fill(ring, null);
            head = 0;
            count = 0;
        } finally {
            lock.unlock();
        }
    }
}
