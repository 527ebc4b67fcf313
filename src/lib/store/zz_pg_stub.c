/* LOCAL ONLY — not committed: stands in for db_pg.c until it lands. */
#include "db.h"
const char *const db_pg_schema[] = {""};
const int db_pg_schema_versions = 5;
sl_status db_pg_open(const char *conninfo, bool readonly, db **out, sl_error *err)
{
    (void)conninfo; (void)readonly; *out = NULL;
    return sl_fail(err, SL_ERR_STORE, NULL, "PostgreSQL not built yet");
}
