/* json.c - a small streaming JSON writer for the dqp command line.
 *
 * Strings are escaped (", \, and control characters as \u00XX; bytes that are
 * not valid UTF-8 become \ufffd); doubles are
 * written with %.17g so that they read back exactly; NaN and +-Inf, which
 * JSON cannot represent, are written as null. */
#include "cli.h"

#include <math.h>
#include <string.h>

int cli_utf8_len(const unsigned char *p) {
    int len;
    unsigned cp;
    if (p[0] >= 0xC2 && p[0] <= 0xDF) {
        len = 2;
        cp = p[0] & 0x1Fu;
    } else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
        len = 3;
        cp = p[0] & 0x0Fu;
    } else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
        len = 4;
        cp = p[0] & 0x07u;
    } else {
        return 0;
    }
    for (int k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3Fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

void json_write_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\b':
            fputs("\\b", f);
            break;
        case '\f':
            fputs("\\f", f);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                fprintf(f, "\\u%04x", (unsigned)*p);
            } else if (*p < 0x80) {
                fputc(*p, f);
            } else {
                /* Valid UTF-8 passes through; any other byte becomes U+FFFD
                 * so that the output is always valid JSON text. */
                int len = cli_utf8_len(p);
                if (len) {
                    fwrite(p, 1, (size_t)len, f);
                    p += len - 1;
                } else {
                    fputs("\\ufffd", f);
                }
            }
        }
    }
    fputc('"', f);
}

static void indent(json_w *w) {
    fputc('\n', w->f);
    for (int k = 0; k < w->depth; k++)
        fputs("  ", w->f);
}

/* Separator, indentation and key before a value. */
static void item(json_w *w, const char *key) {
    if (w->depth > 0) {
        if (w->count[w->depth]++)
            fputc(',', w->f);
        if (w->inline_[w->depth]) {
            if (w->count[w->depth] > 1)
                fputc(' ', w->f);
        } else {
            indent(w);
        }
    }
    if (key) {
        json_write_string(w->f, key);
        fputs(": ", w->f);
    }
}

static void push(json_w *w, int inl) {
    if (w->depth < 63)
        w->depth++;
    w->count[w->depth] = 0;
    w->inline_[w->depth] = inl;
}

static void pop(json_w *w, char close) {
    int had = w->count[w->depth], inl = w->inline_[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (had && !inl)
        indent(w);
    fputc(close, w->f);
}

void json_init(json_w *w, FILE *f) {
    memset(w, 0, sizeof *w);
    w->f = f;
}

void json_finish(json_w *w) {
    fputc('\n', w->f);
    fflush(w->f);
}

void json_object_begin(json_w *w, const char *key) {
    item(w, key);
    fputc('{', w->f);
    push(w, 0);
}

void json_object_end(json_w *w) { pop(w, '}'); }

void json_array_begin(json_w *w, const char *key, int inline_items) {
    item(w, key);
    fputc('[', w->f);
    push(w, inline_items);
}

void json_array_end(json_w *w) { pop(w, ']'); }

void json_str(json_w *w, const char *key, const char *s) {
    item(w, key);
    if (s)
        json_write_string(w->f, s);
    else
        fputs("null", w->f);
}

void json_num(json_w *w, const char *key, double v) {
    item(w, key);
    if (isfinite(v))
        fprintf(w->f, "%.17g", v + 0.0); /* no "-0" */
    else
        fputs("null", w->f);
}

void json_int(json_w *w, const char *key, long long v) {
    item(w, key);
    fprintf(w->f, "%lld", v);
}

void json_bool(json_w *w, const char *key, int v) {
    item(w, key);
    fputs(v ? "true" : "false", w->f);
}

void json_null(json_w *w, const char *key) {
    item(w, key);
    fputs("null", w->f);
}

void json_num_array(json_w *w, const char *key, const double *x, int64_t n) {
    json_array_begin(w, key, 1);
    for (int64_t k = 0; k < n; k++)
        json_num(w, NULL, x[k]);
    json_array_end(w);
}

void json_int_array(json_w *w, const char *key, const int64_t *x, int64_t n) {
    json_array_begin(w, key, 1);
    for (int64_t k = 0; k < n; k++)
        json_int(w, NULL, (long long)x[k]);
    json_array_end(w);
}
