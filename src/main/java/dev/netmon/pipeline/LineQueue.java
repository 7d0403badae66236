package dev.netmon.pipeline;

import dev.netmon.event.LogLine;
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
            for (int i = 0; i < n; i++) {
                ring[tail] = lines[i];
                tail = tail + 1 == ring.length ? 0 : tail + 1;
            }
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
            for (int i = 0; i < n; i++) {
                into[i] = ring[head];
                ring[head] = null;
                head = head + 1 == ring.length ? 0 : head + 1;
            }
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
            java.util.Arrays.fill(ring, null);
            head = 0;
            count = 0;
        } finally {
            lock.unlock();
        }
    }
}
