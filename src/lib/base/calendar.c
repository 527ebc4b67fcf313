/*
 * calendar.c — the one day↔date conversion: days since 1970-01-01 to a
 * year, month and day, the length of a month, and Excel's serial day
 * numbers.
 *
 * The importer reads days from CSV cells and XLSX serials, and the journal
 * checks the times it is given; they all count days the same way, so the
 * leap-year rule and Excel's 1900 quirk are written once, here.
 */
#include "base/internal.h"

void sl_civil_from_days(long z, int *y, int *m, int *d)
{
    /* Howard Hinnant's civil_from_days: 400-year eras of 146097 days,
     * counted from 0000-03-01 so the leap day ends a year. */
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int sl_days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12)
        return 0;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

long sl_days_from_excel(long serial, bool date1904)
{
    if (date1904)
        return serial - 24107;
    /* The 1900 system counts a 29 February 1900 that never was (serial
     * 60), so serials from 61 on are one day ahead of the calendar. */
    return serial - (serial >= 61 ? 25569 : 25568);
}
