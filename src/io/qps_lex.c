/* qps_lex.c - lines, free-format tokens, fixed-format fields and numbers of QPS/MPS text. */
#include "io/qps_internal.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int dqp_qps_next_line(const char *text, size_t len, size_t *pos, dqp_qps_str *line) {
    size_t start = *pos;
    if (start >= len)
        return 0;
    const char *nl = memchr(text + start, '\n', len - start);
    size_t end = nl ? (size_t)(nl - text) : len;
    *pos = nl ? end + 1 : len;
    /* CRLF files: the '\r' belongs to the line ending, not to the last field. */
    if (end > start && text[end - 1] == '\r')
        end--;
    line->p = text + start;
    line->len = end - start;
    return 1;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

int dqp_qps_split(dqp_qps_str line, dqp_qps_str *tok, int max) {
    int count = 0;
    size_t k = 0;
    while (k < line.len) {
        while (k < line.len && is_blank(line.p[k]))
            k++;
        if (k >= line.len)
            break;
        size_t start = k;
        while (k < line.len && !is_blank(line.p[k]))
            k++;
        if (count < max) {
            tok[count].p = line.p + start;
            tok[count].len = k - start;
        }
        count++;
    }
    return count;
}

/* 1-based first and last columns of the six fixed-format fields. */
static const int field_first[6] = {2, 5, 15, 25, 40, 50};
static const int field_last[6] = {3, 12, 22, 36, 47, 61};

dqp_qps_str dqp_qps_fixed_field(dqp_qps_str line, int k) {
    dqp_qps_str f = {line.p, 0};
    if (k < 1 || k > 6)
        return f;
    size_t a = (size_t)field_first[k - 1] - 1, b = (size_t)field_last[k - 1];
    if (a >= line.len)
        return f;
    if (b > line.len)
        b = line.len;
    /* Names may contain inner blanks in fixed format; only the ends are trimmed. */
    while (a < b && line.p[a] == ' ')
        a++;
    while (b > a && line.p[b - 1] == ' ')
        b--;
    f.p = line.p + a;
    f.len = b - a;
    return f;
}

/* Nonzero when column c (1-based) lies inside one of the six fields. */
static int in_field(size_t c) {
    for (int k = 0; k < 6; k++)
        if ((int)c >= field_first[k] && (int)c <= field_last[k])
            return 1;
    return 0;
}

int dqp_qps_fixed_layout(const char *text, size_t len) {
    size_t pos = 0;
    dqp_qps_str line;
    int data_lines = 0;
    while (dqp_qps_next_line(text, len, &pos, &line)) {
        if (line.len == 0 || line.p[0] == '*' || !is_blank(line.p[0]))
            continue; /* blank, comment or section header */
        for (size_t c = 0; c < line.len; c++) {
            char ch = line.p[c];
            if (ch == '\t')
                return 0;
            if (ch != ' ' && !in_field(c + 1))
                return 0;
        }
        data_lines++;
    }
    return data_lines > 0;
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

int dqp_qps_is(dqp_qps_str s, const char *keyword) {
    size_t n = strlen(keyword);
    if (s.len != n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (lower(s.p[k]) != lower(keyword[k]))
            return 0;
    return 1;
}

int dqp_qps_same(dqp_qps_str a, dqp_qps_str b) {
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the longest prefix of s made of decimal digits, from k. */
static size_t digits(dqp_qps_str s, size_t k) {
    size_t start = k;
    while (k < s.len && is_digit(s.p[k]))
        k++;
    return k - start;
}

/* Check the decimal grammar; returns 1 when s is a complete decimal literal. */
static int decimal_syntax(dqp_qps_str s) {
    size_t k = 0;
    if (k < s.len && (s.p[k] == '+' || s.p[k] == '-'))
        k++;
    size_t int_digits = digits(s, k);
    k += int_digits;
    size_t frac_digits = 0;
    if (k < s.len && s.p[k] == '.') {
        k++;
        frac_digits = digits(s, k);
        k += frac_digits;
    }
    if (int_digits + frac_digits == 0)
        return 0;
    if (k < s.len && (lower(s.p[k]) == 'e' || lower(s.p[k]) == 'd')) {
        k++;
        if (k < s.len && (s.p[k] == '+' || s.p[k] == '-'))
            k++;
        size_t exp_digits = digits(s, k);
        if (exp_digits == 0)
            return 0;
        k += exp_digits;
    }
    return k == s.len;
}

/* Longest numeric literal converted; longer ones are rejected. */
#define NUMBER_MAX 128

int dqp_qps_number(dqp_qps_str s, double *out) {
    if (s.len == 0 || s.len > NUMBER_MAX)
        return 0;
    dqp_qps_str body = s;
    double sign = 1.0;
    if (body.p[0] == '+' || body.p[0] == '-') {
        sign = body.p[0] == '-' ? -1.0 : 1.0;
        body.p++;
        body.len--;
    }
    if (dqp_qps_is(body, "inf") || dqp_qps_is(body, "infinity")) {
        *out = sign * HUGE_VAL;
        return 1;
    }
    if (!decimal_syntax(s))
        return 0;
    /* strtod follows the C locale's decimal point (',' in some locales) and
     * has no Fortran 'D' exponent: rewrite the literal for it. The grammar
     * was checked above, so strtod sees only a plain decimal literal. */
    const char *dp = localeconv()->decimal_point;
    size_t dp_len = (dp && dp[0]) ? strlen(dp) : 1;
    char buf[NUMBER_MAX + 16];
    size_t w = 0;
    for (size_t k = 0; k < s.len; k++) {
        char c = s.p[k];
        if (c == '.') {
            if (dp_len > 8)
                return 0;
            memcpy(buf + w, (dp && dp[0]) ? dp : ".", dp_len);
            w += dp_len;
        } else {
            buf[w++] = (c == 'd' || c == 'D') ? 'e' : c;
        }
    }
    buf[w] = '\0';
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end != buf + w)
        return 0;
    *out = v; /* overflow gives +-HUGE_VAL = +-inf, underflow 0 or subnormal */
    return 1;
}
