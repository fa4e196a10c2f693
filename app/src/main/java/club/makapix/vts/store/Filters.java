package club.makapix.vts.store;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * A listing's equality filters, only those given: the SQL names just their columns, so PostgreSQL
 * plans each combination for what it is (an index for one filter, none for "any"), never one generic
 * plan for all of them, as {@code (:x is null or col = :x)} would invite.
 */
final class Filters {
    private final Map<String, Object> valueByColumn = new LinkedHashMap<>();

    /** Filters on {@code column} (a column name of the code's, never of the request's) unless {@code value} is null. */
    Filters with(String column, Object value) {
        if (value != null) {
            valueByColumn.put(column, value);
        }
        return this;
    }

    /** {@code " where a = :a and b = :b"}, or nothing when no filter is given. */
    String where() {
        return valueByColumn.isEmpty() ? "" : valueByColumn.keySet().stream()
                .map(column -> column + " = :" + column).collect(Collectors.joining(" and ", " where ", ""));
    }

    <S extends SqlStatement<S>> S bind(S statement) {
        valueByColumn.forEach(statement::bind);
        return statement;
    }
}
