package dev.twinshift.ui.timeline;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The axis's ticks for a window: the finest calendar step (minutes up to decades) whose labels do not
 * crowd each other, placed on the calendar of the user's time zone, so ticks fall on local midnights
 * and month starts, and an hour lost or gained to daylight saving shows as it happened.
 */
public final class TickScale {

    /** A step of the axis, its nominal length and how its labels read. */
    public enum Step {
        MINUTE_1(ChronoUnit.MINUTES, 1), MINUTE_5(ChronoUnit.MINUTES, 5), MINUTE_15(ChronoUnit.MINUTES, 15),
        MINUTE_30(ChronoUnit.MINUTES, 30), HOUR_1(ChronoUnit.HOURS, 1), HOUR_3(ChronoUnit.HOURS, 3),
        HOUR_6(ChronoUnit.HOURS, 6), HOUR_12(ChronoUnit.HOURS, 12), DAY_1(ChronoUnit.DAYS, 1), DAY_2(ChronoUnit.DAYS, 2),
        WEEK_1(ChronoUnit.WEEKS, 1), MONTH_1(ChronoUnit.MONTHS, 1), MONTH_3(ChronoUnit.MONTHS, 3),
        MONTH_6(ChronoUnit.MONTHS, 6), YEAR_1(ChronoUnit.YEARS, 1), YEAR_2(ChronoUnit.YEARS, 2), YEAR_5(ChronoUnit.YEARS, 5),
        YEAR_10(ChronoUnit.YEARS, 10);

        final ChronoUnit unit;
        final int amount;

        Step(ChronoUnit unit, int amount) {
            this.unit = unit;
            this.amount = amount;
        }

        /** Its length in milliseconds, as the calendar has it on average. */
        public double nominalMs() {
            return unit.getDuration().toMillis() * (double) amount;
        }
    }

    /** One tick: where, what it reads, and whether it starts a larger period (a day, a month, a year). */
    public record Tick(long time, String label, boolean major) {}

    /** Labels are this far apart at least. */
    public static final double MIN_LABEL_GAP_PX = 84;

    private TickScale() {}

    /** The finest step whose ticks are at least {@link #MIN_LABEL_GAP_PX} apart on this window. */
    public static Step step(double spanMs, double widthPx) {
        double pxPerMs = widthPx / spanMs;
        for (Step s : Step.values()) {
            if (s.nominalMs() * pxPerMs >= MIN_LABEL_GAP_PX) {
                return s;
            }
        }
        return Step.YEAR_10;
    }

    public static List<Tick> ticks(TimeWindow w, double widthPx, ZoneId zone, Locale locale) {
        Step step = step(w.span(), widthPx);
        long startMs = (long) Math.floor(w.start());
        long endMs = (long) Math.ceil(w.end());
        ZonedDateTime t = first(step, ZonedDateTime.ofInstant(Instant.ofEpochMilli(startMs), zone));
        List<Tick> out = new ArrayList<>();
        Labels labels = new Labels(locale);
        // Bounded: a window holds some dozens of ticks at its chosen step, never more than a few hundred.
        for (int n = 0; n < 1000; n++) {
            long ms = t.toInstant().toEpochMilli();
            if (ms > endMs) {
                break;
            }
            if (ms >= startMs) {
                boolean major = major(step, t);
                out.add(new Tick(ms, labels.of(step, t, major), major));
            }
            t = next(step, t);
        }
        return out;
    }

    /** The first tick at or before {@code from}, aligned on the step's calendar unit. */
    static ZonedDateTime first(Step step, ZonedDateTime from) {
        return switch (step.unit) {
            case MINUTES -> {
                ZonedDateTime h = from.truncatedTo(ChronoUnit.HOURS);
                yield h.plusMinutes((from.getMinute() / step.amount) * (long) step.amount);
            }
            case HOURS -> {
                ZonedDateTime d = from.truncatedTo(ChronoUnit.DAYS);
                yield d.withHour((from.getHour() / step.amount) * step.amount);
            }
            case DAYS -> {
                ZonedDateTime d = from.truncatedTo(ChronoUnit.DAYS);
                yield d.withDayOfMonth(1 + ((d.getDayOfMonth() - 1) / step.amount) * step.amount);
            }
            case WEEKS -> from.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTHS -> {
                ZonedDateTime m = from.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
                yield m.withMonth(1 + ((m.getMonthValue() - 1) / step.amount) * step.amount);
            }
            case YEARS -> from.truncatedTo(ChronoUnit.DAYS).withDayOfYear(1)
                    .withYear(Math.floorDiv(from.getYear(), step.amount) * step.amount);
            default -> throw new IllegalStateException(step.toString());
        };
    }

    static ZonedDateTime next(Step step, ZonedDateTime t) {
        if (step.unit == ChronoUnit.DAYS && step.amount > 1) {
            // Multi-day steps restart at each month, so labels stay on the same days of every month
            // and the last one of a month does not crowd the 1st.
            ZonedDateTime n = t.plusDays(step.amount);
            ZonedDateTime nextMonth = t.withDayOfMonth(1).plusMonths(1);
            boolean crowds = n.getDayOfMonth() + step.amount > n.toLocalDate().lengthOfMonth() + 1;
            return !n.isBefore(nextMonth) || crowds ? nextMonth : n;
        }
        // Minutes and hours are added on the instant line (the repeated hour of an autumn night is
        // drawn twice); days and longer on the local calendar.
        return t.plus(step.amount, step.unit);
    }

    static boolean major(Step step, ZonedDateTime t) {
        return switch (step.unit) {
            case MINUTES -> t.getMinute() == 0;
            case HOURS -> t.getHour() == 0;
            case DAYS, WEEKS -> t.getDayOfMonth() == 1 || step == Step.WEEK_1 && t.getDayOfMonth() <= 7;
            case MONTHS -> t.getMonthValue() == 1;
            default -> false;
        };
    }

    private static final class Labels {
        final DateTimeFormatter time;
        final DateTimeFormatter dayAndMonth;
        final DateTimeFormatter weekdayDate;
        final DateTimeFormatter monthYear;
        final DateTimeFormatter month;
        final DateTimeFormatter year;

        Labels(Locale l) {
            time = DateTimeFormatter.ofPattern("HH:mm", l);
            dayAndMonth = DateTimeFormatter.ofPattern("d MMM", l);
            weekdayDate = DateTimeFormatter.ofPattern("EEE d MMM", l);
            monthYear = DateTimeFormatter.ofPattern("MMM yyyy", l);
            month = DateTimeFormatter.ofPattern("MMM", l);
            year = DateTimeFormatter.ofPattern("yyyy", l);
        }

        String of(Step step, ZonedDateTime t, boolean major) {
            return switch (step.unit) {
                case MINUTES -> t.getHour() == 0 && t.getMinute() == 0 ? weekdayDate.format(t) : time.format(t);
                case HOURS -> major ? weekdayDate.format(t) : time.format(t);
                case DAYS, WEEKS -> t.getDayOfYear() <= (step == Step.WEEK_1 ? 7 : 1) ? dayAndMonth.format(t) + " " + year.format(t)
                        : dayAndMonth.format(t);
                case MONTHS -> major ? monthYear.format(t) : month.format(t);
                default -> year.format(t);
            };
        }
    }
}
