package io.gaussrestore.console;

import static io.gaussrestore.console.ConsoleFormat.MOMENT;
import static io.gaussrestore.console.ConsoleFormat.MOMENT;
import static io.gaussrestore.console.ConsoleFormat.at;
import static io.gaussrestore.console.RequestViews.row;
import static io.gaussrestore.console.RequestViews.row;

import io.gaussrestore.ledger.LedgerEntry;
import io.gaussrestore.ledger.LedgerReads;
import io.gaussrestore.ledger.LedgerSearch;
import io.gaussrestore.ledger.LedgerState;
import io.gaussrestore.throttling.CircuitBreaker;
import io.gaussrestore.throttling.RateLimiter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The console's overview page: what the person on call sees first. */
@ApplicationScoped
public class OverviewModel {

    @Inject LedgerReads ledger;
    @Inject CircuitBreaker circuit;
    @Inject RateLimiter rates;
    @Inject MeterRegistry registry;
    @Inject Clock clock;

    /** The last hour and day by status, what needs a decision, what is in flight and waiting, the cloud budget. */
    ConsoleViews.Overview build() {
        Instant now = clock.instant();
        Map<LedgerState, Long> hour = ledger.countsSince(now.minus(Duration.ofHours(1)));
        Map<LedgerState, Long> day = ledger.countsSince(now.minus(Duration.ofDays(1)));
        List<ConsoleViews.Count> counts = new ArrayList<>();
        for (LedgerState state : LedgerState.values()) {
            long h = hour.getOrDefault(state, 0L);
            long d = day.getOrDefault(state, 0L);
            if (d > 0) {
                counts.add(new ConsoleViews.Count(state.name(), h, d));
            }
        }
        List<ConsoleViews.Row> attention = ledger.needingAttention(now.minus(Duration.ofDays(1)), 50).stream()
                .map(e -> row(e, now)).toList();
        List<ConsoleViews.Row> inFlight = ledger.search(new LedgerSearch(null, null, null,
                        List.of(LedgerState.SUBMITTING, LedgerState.SUBMITTED, LedgerState.RUNNING), null, null, null), 0, 100)
                .stream().map(e -> row(e, now)).toList();
        Map<String, List<ConsoleViews.Row>> lines = new LinkedHashMap<>();
        for (LedgerEntry waiting : ledger.queued(null, 200)) {
            lines.computeIfAbsent(waiting.instanceId(), k -> new ArrayList<>()).add(row(waiting, now));
        }
        List<ConsoleViews.QueueLine> queues = lines.entrySet().stream()
                .map(e -> new ConsoleViews.QueueLine(e.getKey(), e.getValue())).toList();
        CircuitBreaker.State state = circuit.state();
        String circuitText = state == CircuitBreaker.State.CLOSED ? "closed: requests go to the cloud"
                : state == CircuitBreaker.State.OPEN ? "open: the cloud failed repeatedly; requests wait, one probe every "
                        + circuit.openFor().toSeconds() + " s"
                : "half open: one probe request is testing the cloud";
        List<ConsoleViews.Budget> budgets = rates.budgets().stream().map(b -> new ConsoleViews.Budget(b.projectId(),
                b.operation().label(), "%.1f".formatted(b.tokens()), "%.0f".formatted(b.ratePerMinute()),
                b.learnedLimit() > 0 ? "%.0f a minute".formatted(b.learnedLimit()) : "-",
                b.lastThrottledAt() == null ? "never" : MOMENT.format(b.lastThrottledAt()))).toList();
        return new ConsoleViews.Overview(counts, attention, inFlight, queues, circuitText, budgets,
                consumerLag(), MOMENT.format(now));
    }

    private String consumerLag() {
        Double lag = null;
        for (Gauge gauge : registry.find("kafka.consumer.fetch.manager.records.lag.max").gauges()) {
            double value = gauge.value();
            if (!Double.isNaN(value)) {
                lag = lag == null ? value : Math.max(lag, value);
            }
        }
        return lag == null ? "not reported yet" : "%.0f record(s) behind at most, per partition".formatted(lag);
    }
}
