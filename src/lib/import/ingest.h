/*
 * ingest.h — what the file readers hand to the importer (private).
 *
 * A reader (CSV, XLSX) turns a file into rows of cell text and passes each
 * row to a sink.  It knows nothing of headers or fields: header detection,
 * column mapping and value parsing happen in the importer, the same way for
 * every reader.
 */
#ifndef SL_INGEST_H
#define SL_INGEST_H

#include "base/internal.h"

#include <stdio.h>

/* One row of cells.  The strings are NUL-terminated ("" for an empty cell)
 * and valid only during the sink call. */
typedef struct ingest_row {
    uint64_t number;            /* 1-based row number, as a spreadsheet shows it */
    size_t count;               /* cells in the row; trailing empty cells may be left out */
    const char *const *cells;
    const size_t *lengths;      /* strlen of each cell */
} ingest_row;

/* Receives rows in order.  SL_OK continues; any other status stops the
 * reader, which returns that status unchanged (a sink may stop early on
 * purpose and recognise its own status afterwards). */
typedef sl_status (*ingest_sink)(void *ctx, const ingest_row *row, sl_error *err);

/* ---- CSV (csv.c): RFC 4180, the hand-written hot path ---- */

#define CSV_MAX_ROW_BYTES ((size_t)16 << 20)   /* one record, quotes included */
#define CSV_MAX_COLUMNS 16384                  /* cells in one record */

typedef struct csv_reader csv_reader;

/* Reads records from `fd` between byte offsets [start, end) (end =
 * UINT64_MAX: to the end of the file) with pread, so several readers may
 * share one descriptor.  A UTF-8 byte-order mark at offset 0 is skipped.
 * `first_row` numbers the first record (1 for a whole file).  `name` is the
 * file name errors carry. */
sl_status csv_open(int fd, const char *name, uint64_t start, uint64_t end, char delimiter,
                   uint64_t first_row, csv_reader **out, sl_error *err);
/* The next record into *row (valid until the next call); *done is set at the
 * end of the range.  SL_ERR_PARSE for an unterminated quote or text after a
 * closing quote (row and column named); SL_ERR_LIMIT for a record over
 * CSV_MAX_ROW_BYTES or CSV_MAX_COLUMNS; SL_ERR_READ when reading fails. */
sl_status csv_next(csv_reader *reader, ingest_row *row, bool *done, sl_error *err);
/* True once a double quote has been seen: a range split at a newline may
 * then have cut a quoted field, and the parallel path is not safe. */
bool csv_saw_quote(const csv_reader *reader);
/* Has the reader check, as it hands them out, that the bytes of its range
 * are UTF-8 (call right after csv_open).  The importer's bulk feeds are
 * checked this way instead of by csv_detect_encoding's pass over the whole
 * file before the reading (importer.c "encoding checked while reading"). */
void csv_check_utf8(csv_reader *reader);
/* True when a reader that checks UTF-8 has read a byte that is not UTF-8 (or
 * a range it could not check): the file's encoding must then be decided by
 * csv_detect_encoding.  A range read to its end has had every byte checked. */
bool csv_saw_bad_utf8(const csv_reader *reader);
/* Bytes of the range consumed so far. */
uint64_t csv_consumed(const csv_reader *reader);
void csv_close(csv_reader *reader);

/* Low-level access for the bulk path (bulk.c), which parses plain records
 * straight out of the reader's buffer.  csv_window gives the unparsed
 * bytes; csv_skip consumes `bytes` holding `records` whole records (and
 * with csv_check_utf8 counts them as checked: the caller vouches that each
 * is ASCII or has been passed to csv_check_text);
 * csv_fill reads more (moving the buffer: pointers into the window become
 * invalid).  *at_eof is set when nothing more can be read.  At least
 * CSV_WINDOW_PAD initialised bytes follow the window (their values are
 * arbitrary), so a loop may load fixed-size blocks and mask off the part
 * past `available`. */
#define CSV_WINDOW_PAD 128
const char *csv_window(csv_reader *reader, size_t *available, bool *at_eof);
/* Has the reader map `window` bytes of a regular file at a time (0: the
 * default, 2 MiB) instead of reading them with pread (call right after
 * csv_open; a pipe is read with pread all the same).  For readers that
 * mostly read the window in place: csv_next then copies each record it
 * hands out. */
void csv_map_windows(csv_reader *reader, size_t window);
void csv_skip(csv_reader *reader, size_t bytes, uint64_t records);
/* With csv_check_utf8: checks that the whole records text[0, bytes), in
 * the window, are UTF-8.  Does nothing otherwise. */
void csv_check_text(csv_reader *reader, const char *text, size_t bytes);
sl_status csv_fill(csv_reader *reader, sl_error *err);
char csv_delimiter(const csv_reader *reader);
/* The number the next record will get. */
uint64_t csv_records(const csv_reader *reader);

/* The delimiter of a file from its first bytes: ',', ';' or '\t', whichever
 * splits the most lines (outside quotes) into the most cells; ',' on a tie. */
char csv_detect_delimiter(const char *data, size_t size);

/* ---- text encodings (csv.c): what Excel saves besides UTF-8 ----
 *
 * The reader above takes UTF-8 only.  A file in another encoding is decided
 * once, from all its bytes, and converted to UTF-8 before the reader sees
 * it: UTF-16 with a byte-order mark (Excel's "Unicode text"), UTF-16 without
 * one when its NUL bytes say so, and, for a file that is not valid UTF-8 and
 * holds no UTF-8 sequence at all, Windows-1252 (Excel's "CSV" on Windows in
 * Western locales).  Anything that cannot be told apart is refused by name. */

typedef enum csv_encoding {
    CSV_UTF8,
    CSV_UTF16LE,
    CSV_UTF16BE,
    CSV_WINDOWS1252
} csv_encoding;

/* "utf-8", "utf-16le", "utf-16be", "windows-1252": the report's sl_source.encoding. */
const char *csv_encoding_id(csv_encoding encoding);

/* Decides the encoding of the file open on `fd` (`size` bytes) by reading
 * all of it.  SL_ERR_PARSE, naming the file, the row and cell of the first
 * byte that is not UTF-8, and what to do, for a file that mixes UTF-8 with
 * other bytes or starts with a UTF-8 byte-order mark it then breaks, and
 * for UTF-32; SL_ERR_READ when reading fails. */
sl_status csv_detect_encoding(int fd, uint64_t size, const char *name, csv_encoding *out,
                              sl_error *err);

/* The part of csv_detect_encoding that reads only the first 4 KiB: UTF-32
 * refused, UTF-16 decided (*out).  *whole is set when that is not enough:
 * the file is UTF-8 (*out) only if all of its bytes are, which
 * csv_detect_encoding or readers with csv_check_utf8 must find out. */
sl_status csv_detect_encoding_head(int fd, const char *name, csv_encoding *out, bool *whole,
                                   sl_error *err);

/* Converts the whole file on `fd` from `encoding` to UTF-8 (without a
 * byte-order mark) in an unnamed temporary file and sets *out_fd to it
 * (the caller closes it).  Line ends, quotes and delimiters keep their
 * places, so the reader's rows and cells are the original's.  SL_ERR_PARSE
 * with file:row:cell for a byte Windows-1252 leaves undefined (0x81, 0x8D,
 * 0x8F, 0x90, 0x9D), a UTF-16 surrogate without its other half, or a UTF-16
 * file with an odd number of bytes; SL_ERR_READ when reading or writing the
 * temporary file fails. */
sl_status csv_convert_to_utf8(int fd, csv_encoding encoding, const char *name, int *out_fd,
                              sl_error *err);

/* The conversion one chunk at a time, for csv_convert_to_utf8 and the unit
 * test.  Start with the struct zeroed and `encoding` set; feed the input in
 * order (a UTF-16 BOM at its start is dropped; a code unit or surrogate pair
 * may be split between chunks) with `last` set on the final chunk.  `out`
 * must hold 3 * size + 8 bytes.  Returns CSV_CONVERT_OK and *written, or the
 * reason it stopped with *bad_offset, the input offset of the byte or unit
 * that cannot be converted (*written is then what came before it). */
typedef struct csv_converter {
    csv_encoding encoding;
    uint64_t offset;            /* input bytes taken so far */
    unsigned char carry;        /* a UTF-16 unit's first byte, split off */
    bool has_carry;
    uint16_t high;              /* a high surrogate waiting for its low half */
    uint64_t high_offset;
} csv_converter;

typedef enum csv_convert_result {
    CSV_CONVERT_OK,
    CSV_CONVERT_UNDEFINED,      /* Windows-1252 0x81, 0x8D, 0x8F, 0x90 or 0x9D */
    CSV_CONVERT_SURROGATE,      /* UTF-16: half of a surrogate pair */
    CSV_CONVERT_ODD_LENGTH      /* UTF-16: the input ends inside a code unit */
} csv_convert_result;

csv_convert_result csv_convert_chunk(csv_converter *c, const unsigned char *in, size_t size,
                                     bool last, char *out, size_t *written,
                                     uint64_t *bad_offset);

/* ---- XLSX (xlsx.c): libzip for the container, expat for the XML ---- */

/* Named limits; every one has a test that hits it.  A file over a limit is
 * refused with SL_ERR_LIMIT naming the limit (zip bombs stop here). */
typedef struct xlsx_limits {
    uint64_t max_part_bytes;    /* uncompressed size of one XML part; 512 MiB */
    uint64_t max_cells;         /* cells in one sheet; 50,000,000 */
    size_t max_string;          /* bytes of one cell's text; 32,767 (Excel's own limit) */
    uint32_t max_columns;       /* columns in a row; 16,384 (Excel's XFD) */
    uint64_t max_shared_strings;/* entries in the shared-string table; 10,000,000 */
} xlsx_limits;

void xlsx_default_limits(xlsx_limits *limits);

typedef struct xlsx_book xlsx_book;

/* Opens a workbook: reads the sheet list, shared strings and date styles.
 * SL_ERR_READ when the file cannot be opened; SL_ERR_PARSE (with what is
 * wrong) when it is not a valid XLSX; SL_ERR_LIMIT over a limit. */
sl_status xlsx_open(const char *path, const xlsx_limits *limits, xlsx_book **out,
                    sl_error *err);
/* The same from bytes in memory (not copied; must outlive the book).  For
 * uploads and the fuzz target. */
sl_status xlsx_open_buffer(const void *data, size_t size, const char *name,
                           const xlsx_limits *limits, xlsx_book **out, sl_error *err);
size_t xlsx_sheet_count(const xlsx_book *book);
/* The sheet's name as the workbook shows it (index from 0). */
const char *xlsx_sheet_name(const xlsx_book *book, size_t index);
/* Streams one sheet's rows to `sink`.  Cells: shared and inline strings as
 * text; numbers as the text written in the XML (never through a double, so
 * 19-digit IDs survive); booleans "TRUE"/"FALSE"; numbers in a date style as
 * "YYYY-MM-DD" (or "YYYY-MM-DD HH:MM:SS" with a time part); formula cells by
 * their cached value.  Sparse rows are filled with "" up to their last cell;
 * rows absent from the XML are not delivered. */
sl_status xlsx_read_sheet(xlsx_book *book, size_t index, ingest_sink sink, void *ctx,
                          sl_error *err);
void xlsx_close(xlsx_book *book);

/* ---- the content hash of an import (importer.c) ---- */

/* The SHA-256 of the whole file behind fd, as 64 lowercase hex digits and a
 * NUL: it tells whether a file was imported before. */
sl_status ingest_hash_fd(int fd, const char *name, char hex[65], sl_error *err);

#endif /* SL_INGEST_H */
