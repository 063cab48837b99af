/* qps.c - the QPS/MPS model object: reading files and buffers, accessors (dqp/qps.h). */
#include "io/qps_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct dqp_qps {
    dqp_qps_canon canon; /* canon.prob is NULL while the model is empty */
    char *name;
    double c0;
    int sense;
    int64_t ncols, nrows, nnz;
    dqp_qps_names rows, cols; /* rows: every row of the file, N rows included */
    int64_t *con_name;        /* per constraint row: its index in `rows` */
    char last_error[DQP_MESSAGE_LEN];
};

/* Empty the model (keeps last_error). */
static void clear(dqp_qps *qps) {
    dqp_qps_canon_free(&qps->canon);
    dqp_free(qps->name);
    dqp_qps_names_free(&qps->rows);
    dqp_qps_names_free(&qps->cols);
    dqp_free(qps->con_name);
    qps->name = NULL;
    qps->con_name = NULL;
    qps->c0 = 0.0;
    qps->sense = 1;
    qps->ncols = qps->nrows = qps->nnz = 0;
}

dqp_qps *dqp_qps_create(void) {
    dqp_qps *qps = dqp_calloc(1, sizeof *qps);
    if (qps)
        qps->sense = 1;
    return qps;
}

void dqp_qps_destroy(dqp_qps *qps) {
    if (!qps)
        return;
    clear(qps);
    dqp_free(qps);
}

/* Move the parsed names and counts into the model. */
static dqp_status install(dqp_qps *qps, dqp_qps_raw *raw, dqp_qps_canon *canon) {
    int64_t *con_name = dqp_alloc(raw->ncon, sizeof *con_name);
    if (!con_name)
        return DQP_ERR_NOMEM;
    for (int64_t r = 0; r < raw->ncon; r++)
        con_name[r] = raw->con[r].name;
    qps->canon = *canon;
    memset(canon, 0, sizeof *canon);
    qps->con_name = con_name;
    qps->name = raw->name;
    raw->name = NULL;
    qps->rows = raw->rows;
    qps->cols = raw->cols;
    memset(&raw->rows, 0, sizeof raw->rows);
    memset(&raw->cols, 0, sizeof raw->cols);
    qps->c0 = raw->c0;
    qps->sense = raw->sense;
    qps->ncols = qps->cols.count;
    qps->nrows = raw->ncon;
    qps->nnz = raw->na;
    return DQP_OK;
}

/* Free format first. When that fails and the text has the fixed layout, try
 * fixed format; keep the attempt that succeeded, else the one that got
 * further (its error is the likelier true one; a tie keeps free format). */
static dqp_status parse_any(dqp_qps_raw *raw, const char *text, size_t len, const char *label,
                            dqp_message *msg) {
    int64_t line_free = 0, line_fixed = 0;
    dqp_status st = dqp_qps_parse(raw, text, len, label, 0, msg, &line_free);
    if (st != DQP_ERR_PARSE || !dqp_qps_fixed_layout(text, len))
        return st;
    dqp_qps_raw fixed;
    dqp_message msg_fixed;
    memset(&fixed, 0, sizeof fixed);
    dqp_status st_fixed = dqp_qps_parse(&fixed, text, len, label, 1, &msg_fixed, &line_fixed);
    if (st_fixed == DQP_OK || line_fixed > line_free) {
        dqp_qps_raw_free(raw);
        *raw = fixed;
        *msg = msg_fixed;
        return st_fixed;
    }
    dqp_qps_raw_free(&fixed);
    return st;
}

dqp_status dqp_qps_read_buffer(dqp_qps *qps, const char *text, size_t len, const char *label) {
    if (!qps)
        return DQP_ERR_NULL;
    clear(qps);
    if (!text && len > 0) {
        dqp_fmt(qps->last_error, sizeof qps->last_error, "text is NULL");
        return DQP_ERR_NULL;
    }
    if (!text)
        text = "";
    if (!label)
        label = "<memory>";
    dqp_message msg = {{0}};
    dqp_qps_raw raw;
    dqp_qps_canon canon;
    memset(&raw, 0, sizeof raw);
    memset(&canon, 0, sizeof canon);
    dqp_status st = parse_any(&raw, text, len, label, &msg);
    if (st == DQP_OK)
        st = dqp_qps_assemble(&raw, &canon, &msg);
    if (st == DQP_OK && (st = install(qps, &raw, &canon)) != DQP_OK) {
        dqp_qps_canon_free(&canon);
        clear(qps);
        dqp_fmt(msg.text, sizeof msg.text, "%s: out of memory", label);
    }
    dqp_qps_raw_free(&raw);
    memcpy(qps->last_error, msg.text, sizeof msg.text);
    return st;
}

/* Read the whole file: memory stays proportional to the file size. */
static dqp_status slurp(dqp_qps *qps, FILE *f, const char *path, char **buf, size_t *len) {
    int64_t cap = 0, used = 0;
    char *data = NULL;
    for (;;) {
        if (!dqp_qps_grow((void **)&data, &cap, used + 65536, 1)) {
            dqp_free(data);
            dqp_fmt(qps->last_error, sizeof qps->last_error, "%s: out of memory", path);
            return DQP_ERR_NOMEM;
        }
        size_t got = fread(data + used, 1, (size_t)(cap - used), f);
        used += (int64_t)got;
        if (got == 0 || used < cap) {
            if (ferror(f)) {
                int err = errno;
                dqp_free(data);
                dqp_fmt(qps->last_error, sizeof qps->last_error, "cannot read '%s': %s", path,
                        err ? strerror(err) : "read error");
                return DQP_ERR_IO;
            }
            if (feof(f))
                break;
        }
    }
    *buf = data;
    *len = (size_t)used;
    return DQP_OK;
}

dqp_status dqp_qps_read_file(dqp_qps *qps, const char *path) {
    if (!qps)
        return DQP_ERR_NULL;
    clear(qps);
    if (!path) {
        dqp_fmt(qps->last_error, sizeof qps->last_error, "path is NULL");
        return DQP_ERR_NULL;
    }
    errno = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int err = errno;
        dqp_fmt(qps->last_error, sizeof qps->last_error, "cannot open '%s': %s", path,
                err ? strerror(err) : "unknown error");
        return DQP_ERR_IO;
    }
    char *text = NULL;
    size_t len = 0;
    errno = 0;
    dqp_status st = slurp(qps, f, path, &text, &len);
    fclose(f);
    if (st != DQP_OK)
        return st;
    st = dqp_qps_read_buffer(qps, text, len, path);
    dqp_free(text);
    return st;
}

const dqp_problem *dqp_qps_problem(const dqp_qps *qps) { return qps ? qps->canon.prob : NULL; }

const char *dqp_qps_name(const dqp_qps *qps) { return (qps && qps->name) ? qps->name : ""; }

double dqp_qps_objective(const dqp_qps *qps, const double *z) {
    if (!qps || !qps->canon.prob || !z)
        return NAN;
    /* The canonical objective is sense * (1/2 z'Qz + c'z). */
    return qps->sense * dqp_problem_objective(qps->canon.prob, z) + qps->c0;
}

double dqp_qps_objective_constant(const dqp_qps *qps) { return qps ? qps->c0 : 0.0; }
int dqp_qps_sense(const dqp_qps *qps) { return qps ? qps->sense : 1; }
int64_t dqp_qps_file_cols(const dqp_qps *qps) { return qps ? qps->ncols : 0; }
int64_t dqp_qps_file_rows(const dqp_qps *qps) { return qps ? qps->nrows : 0; }
int64_t dqp_qps_file_nnz(const dqp_qps *qps) { return qps ? qps->nnz : 0; }

const char *dqp_qps_col_name(const dqp_qps *qps, int64_t j) {
    if (!qps || j < 0 || j >= qps->ncols)
        return NULL;
    return dqp_qps_names_get(&qps->cols, j);
}

const char *dqp_qps_row_name(const dqp_qps *qps, int64_t r) {
    if (!qps || r < 0 || r >= qps->nrows)
        return NULL;
    return dqp_qps_names_get(&qps->rows, qps->con_name[r]);
}

dqp_status dqp_qps_row_origin(const dqp_qps *qps, int eq, int64_t k, dqp_row_origin *out) {
    if (!qps || !out)
        return DQP_ERR_NULL;
    int64_t m = eq ? qps->canon.m_eq : qps->canon.m_ineq;
    if (k < 0 || k >= m)
        return DQP_ERR_INDEX;
    *out = eq ? qps->canon.eq[k] : qps->canon.ineq[k];
    return DQP_OK;
}

const char *dqp_qps_last_error(const dqp_qps *qps) { return qps ? qps->last_error : "qps is NULL"; }
