/*
 * text.c — small text rules every part of the library shares: the lookup
 * key of a name (case, accents, spaces and punctuation folded away, so
 * "CO rate", "co-rate" and "Có Rate" are one key), whole counts written
 * with thousands separators, and text escaped for HTML (sl_html_escape, one
 * escaper for the report pages and the web app).
 *
 * They sit at the bottom of the library so the content parser, the
 * glossary, the export vocabulary and the importer can all fold names
 * without depending on one another.
 */
#include "base/internal.h"

#include <stdio.h>
#include <string.h>

/* Base letters of U+0100..U+017F (Latin Extended-A), two per pair. */
static const char latin_ext_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkk"
                                  "LlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUu"
                                  "WwYyYZzZzZzs";

/* The ASCII letters a code point folds to, or NULL to keep it as it is. */
static const char *fold_codepoint(unsigned cp)
{
    static const char *const latin1[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u", "u", "y", "th", "y"};
    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0];
    if (cp >= 0x100 && cp <= 0x17F && cp - 0x100 < sizeof latin_ext_a - 1) {
        /* One NUL-terminated string per lowercase letter, "a\0b\0…". */
        static const char letters[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r"
                                      "\0s\0t\0u\0v\0w\0x\0y\0z";
        char c = latin_ext_a[cp - 0x100];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        return &letters[(c - 'a') * 2];
    }
    if (cp == 0x1A0 || cp == 0x1A1)
        return "o";
    if (cp == 0x1AF || cp == 0x1B0)
        return "u";
    /* Vietnamese letters with two diacritics, U+1EA0..U+1EF9. */
    if (cp >= 0x1EA0 && cp <= 0x1EB7)
        return "a";
    if (cp >= 0x1EB8 && cp <= 0x1EC7)
        return "e";
    if (cp >= 0x1EC8 && cp <= 0x1ECB)
        return "i";
    if (cp >= 0x1ECC && cp <= 0x1EE3)
        return "o";
    if (cp >= 0x1EE4 && cp <= 0x1EF1)
        return "u";
    if (cp >= 0x1EF2 && cp <= 0x1EF9)
        return "y";
    return NULL;
}

/* Decodes one UTF-8 sequence at s; returns its length (1 for invalid bytes,
 * which are then kept as they are). */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!len)
        goto invalid;
    unsigned v = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto invalid;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
invalid:
    *cp = 0xFFFD;
    return 1;
}

/* Writes the lookup key of `text`: lowercase ASCII letters and digits, other
 * scripts kept byte for byte, accents folded, everything else dropped.  When
 * `words` is true a single space separates words (for shared-word scoring). */
void sl_normalise_key(const char *text, char *out, size_t size, bool words)
{
    size_t o = 0;
    bool gap = false;
    const unsigned char *s = (const unsigned char *)text;
    while (*s && o + 5 < size) {
        unsigned cp;
        size_t len = utf8_decode(s, &cp);
        const char *folded = NULL;
        char ascii[2] = {0};
        if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                ascii[0] = c, folded = ascii;
        } else {
            folded = fold_codepoint(cp);
            if (!folded && cp != 0xFFFD && !(cp >= 0x2000 && cp <= 0x206F) && cp != 0x3000 &&
                !(cp >= 0xFF00 && cp <= 0xFF0F) && !(cp >= 0x3001 && cp <= 0x3011)) {
                /* A letter of another script (e.g. Chinese): keep it. */
                if (words && gap && o)
                    out[o++] = ' ';
                gap = false;
                memcpy(out + o, s, len);
                o += len;
                s += len;
                continue;
            }
        }
        if (folded) {
            if (words && gap && o)
                out[o++] = ' ';
            gap = false;
            for (; *folded && o + 1 < size; folded++)
                out[o++] = *folded;
        } else {
            gap = true;
        }
        s += len;
    }
    out[o] = '\0';
}

const char *sl_format_count(char *buf, size_t size, double count)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%.0f", count);
    size_t o = 0;
    for (int i = 0; i < len && o + 2 < size; i++) {
        if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

void sl_html_escape(FILE *out, const char *text)
{
    if (!text)
        return;
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*p, out);
        }
    }
}

void sl_url_escape(FILE *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            fputc(*p, out);
        else
            fprintf(out, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
}
