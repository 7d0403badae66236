package dev.netmon.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.netmon.cli.MetricsAddress;
import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The endpoint without a tracer (that part needs BPF: MetricsIT): binding, the URL, and the CRI metrics. */
class NetmonMetricsTest {
    private static final MetricsAddress ANY_LOOPBACK_PORT = new MetricsAddress(MetricsAddress.LOOPBACK, 0);

    @Test
    void servesCriCallsAsAHistogramAndErrorsByCode() throws Exception {
        try (NetmonMetrics metrics = NetmonMetrics.serve(ANY_LOOPBACK_PORT)) {
            assertEquals("http://127.0.0.1:" + metrics.port() + "/metrics", metrics.url());
            metrics.criObserver().completed("ListContainers", "OK", 3_000_000);
            metrics.criObserver().completed("ListContainers", "DEADLINE_EXCEEDED", 2_000_000_000L);
            metrics.criObserver().completed("Version", "UNAVAILABLE", 1_000);

            String text = scrape(metrics.url());
            assertTrue(text.contains("netmon_cri_request_duration_seconds_count{method=\"ListContainers\"} 2\n"), text);
            assertTrue(text.contains(
                    "netmon_cri_request_duration_seconds_bucket{method=\"ListContainers\",le=\"0.005\"} 1\n"), text);
            assertTrue(text.contains("netmon_cri_errors_total{code=\"DEADLINE_EXCEEDED\",method=\"ListContainers\"}"
                    + " 1.0\n"), text);
            assertTrue(text.contains("netmon_cri_errors_total{code=\"UNAVAILABLE\",method=\"Version\"} 1.0\n"), text);
            assertTrue(!text.contains("code=\"OK\""), "an OK call is no error: " + text);
        }
    }

    @Test
    void aTakenPortIsABindException() throws Exception {
        try (NetmonMetrics first = NetmonMetrics.serve(ANY_LOOPBACK_PORT)) {
            var taken = new MetricsAddress(MetricsAddress.LOOPBACK, first.port());
            assertThrows(BindException.class, () -> NetmonMetrics.serve(taken).close());
        }
    }

    private static String scrape(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            return r.body();
        }
    }
}
