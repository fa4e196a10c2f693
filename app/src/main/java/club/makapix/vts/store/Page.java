package club.makapix.vts.store;

import java.util.List;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/** One page of a listing, and how many rows the whole listing has. */
public record Page<T>(List<T> items, long total) {
    /** Reads the page and the total in one snapshot, so a write in between cannot make them disagree. */
    static <T> Page<T> read(Jdbi jdbi, HandleCallback<List<T>, RuntimeException> items,
                            HandleCallback<Long, RuntimeException> total) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ,
                h -> new Page<>(items.withHandle(h), total.withHandle(h)));
    }
}
